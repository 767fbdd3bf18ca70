"""Language (NLP): what the NLP page, its views and `python -m dl_core nlp ...` use.

Everything runs offline on bundled models: MiniLM sentence embeddings (`minilm-l6`), a sentiment
head trained here on 12,808 Rotten Tomatoes review snippets, SmolLM2-135M-Instruct for generation
and Bergamot for EN<->PT translation. Hub models are optional extras.

Where things live:
- reviews.py      the labelled reviews and their one fixed train/validation/test split
- embeddings.py   MiniLM embeddings of many texts, cached on disk; measured progress
- sentiment.py    the head: config, model, TF-IDF baseline, `train_sentiment_head`, the default model
- evaluation.py   your own labels: a label column read as positive/negative, both models scored against it
- finetune.py     `train_finetuned_encoder`: the top encoder layers trained with the head
- attributions.py which words pushed a decision (integrated gradients, no hooks on shared models)
- texts.py        texts in: one text per line, uploads, documents cut into passages, sentences
- zero_shot.py    your own labels, no training
- similarity.py   semantic search, similarity matrix, 2-D maps
- summaries.py    extractive and abstractive summaries
- generation.py   SmolLM2 generation: streaming, local-seeded sampling, sentence-boundary endings
- translation.py  EN<->PT offline, other pairs online
- attention.py    attention weights of one sentence
- cli.py          the `nlp` sub-commands

Heavy libraries (torch, transformers, sklearn) are imported inside the functions that need them.
"""

from .attention import Attention, attention_weights
from .attributions import WordAttribution, word_attributions
from .embeddings import CHUNK, ENCODER, RateEstimate, embed, encode_sorted
from .evaluation import (
    Disagreement,
    LabelEvaluation,
    Scores,
    evaluate_sentiment,
    label_columns,
    sentiment_labels,
)
from .finetune import FinetuneConfig, FinetuneReport, train_finetuned_encoder
from .generation import (
    Candidate,
    GeneratedText,
    GenerationConfig,
    TextStream,
    end_at_sentence,
    generate,
    next_token_distribution,
    prompt_ids,
    stream,
)
from .reviews import ASSETS, LABELS, ReviewSet, Split, load_review_set, load_reviews, out_of_domain, split_indices
from .sentiment import (
    HEAD_FILE,
    Prediction,
    SentimentConfig,
    SentimentModel,
    SentimentReport,
    TfidfBaseline,
    baseline_for,
    compare_with_baseline,
    default_sentiment_model,
    fit_baseline,
    head_from_store,
    load_sentiment_model,
    pipeline_predictions,
    save_sentiment,
    saved_report,
    train_sentiment_head,
)
from .similarity import Hit, TextMap, embed_passages, passage_map, project_2d, review_map, search, similarity_matrix
from .summaries import Summary, abstractive_summary, extractive_summary, hub_summary
from .texts import (
    MAX_TEXTS,
    TEXT_SUFFIXES,
    Passage,
    Texts,
    clean_texts,
    documents_from_upload,
    example_article,
    example_documents,
    lines,
    split_passages,
    split_sentences,
    texts_from_upload,
)
from .translation import LANGUAGES, translate, translation_model
from .zero_shot import DEFAULT_TEMPLATE, ZeroShot, label_descriptions, parse_labels, zero_shot_labels

__all__ = [
    "ASSETS", "Attention", "CHUNK", "Candidate", "DEFAULT_TEMPLATE", "Disagreement", "ENCODER", "FinetuneConfig",
    "FinetuneReport", "GeneratedText", "GenerationConfig", "HEAD_FILE", "Hit", "LABELS", "LANGUAGES",
    "LabelEvaluation", "MAX_TEXTS", "Passage", "Prediction", "RateEstimate", "ReviewSet", "Scores",
    "SentimentConfig", "SentimentModel", "SentimentReport", "Split", "Summary", "TEXT_SUFFIXES", "TextMap",
    "TextStream", "Texts", "TfidfBaseline", "WordAttribution", "ZeroShot", "abstractive_summary",
    "attention_weights", "baseline_for", "clean_texts", "compare_with_baseline", "default_sentiment_model",
    "documents_from_upload", "embed", "embed_passages", "encode_sorted", "end_at_sentence", "evaluate_sentiment",
    "example_article", "example_documents", "extractive_summary", "fit_baseline", "generate", "head_from_store",
    "hub_summary", "label_columns", "label_descriptions", "lines", "load_review_set", "load_reviews",
    "load_sentiment_model", "next_token_distribution", "out_of_domain", "parse_labels", "passage_map",
    "pipeline_predictions", "project_2d", "prompt_ids", "review_map", "save_sentiment", "saved_report", "search",
    "sentiment_labels", "similarity_matrix", "split_indices", "split_passages", "split_sentences", "stream",
    "texts_from_upload", "train_finetuned_encoder", "train_sentiment_head", "translate", "translation_model",
    "word_attributions", "zero_shot_labels",
]
