"""Home: what deep learning is, the kinds of learning and of networks, and where to try each."""

from pathlib import Path

import streamlit as st

import ui  # noqa: F401  (the app-shell guard in ui/__init__.py)
from dl_core import registry
from ui import markdown

ROOT = Path(__file__).resolve().parents[1]


def link(script: str, label: str, icon: str) -> None:
    """A link to a page if it is built; plain text otherwise (never a dead link)."""
    if (ROOT / script).is_file():
        st.page_link(script, label=label, icon=icon)
    else:
        st.markdown(f"- {label} *(page not built yet)*")


st.title("Deep Learning Explorer")
st.markdown(
    "Understand deep learning by **using** it: upload your own photos, texts and tables, move the "
    "sliders, train small networks live and watch them learn, and compare them with the simpler "
    "methods an expert would try first. Everything runs on this machine, with real models."
)

left, right = st.columns(2, gap="large")
with left:
    st.subheader("What is deep learning?")
    st.markdown(
        "A **neural network** is a stack of simple layers: each multiplies its input by learned "
        "weights, adds a bias and bends the result with a non-linearity. *Deep* means many such "
        "layers, so that early layers learn simple features (edges, word pieces) and later layers "
        "combine them into concepts (faces, meanings). The weights are learned by **gradient "
        "descent**: predict, measure the error with a loss, and nudge every weight downhill.\n\n"
        "**Shallow machine learning** (linear models, decision trees, k-means) works on features a "
        "person chose. Deep learning learns the features itself from raw pixels, characters or "
        "signals. That pays off with images, sound and language and with lots of data; on small "
        "tables a gradient-boosted tree or a logistic regression is often as good or better. That "
        "is why every page here shows a shallow **baseline** beside the deep model."
    )
with right:
    st.subheader("Four ways to learn")
    st.markdown(
        "- **Supervised**: learn from labelled examples (photo → “cat”). *Vision, sentiment, fraud.*\n"
        "- **Unsupervised**: find structure without labels: clusters, compressed codes, new samples. "
        "*Clustering, autoencoders, GANs, diffusion.*\n"
        "- **Semi-supervised**: a few labels plus many unlabelled examples. *Vision: digits with "
        "only N labels.*\n"
        "- **Reinforcement**: an agent learns from rewards for its actions (games, robots). "
        "*Reinforcement learning: balance a pole, cross a frozen lake.*"
    )

st.subheader("Families of networks, and where to try them")
families = [
    ("Feed-forward networks (MLP)", "layers of weighted sums; the basic building block",
     "pages/fraud.py", "Fraud detection", ":material/credit_card:"),
    ("Convolutional networks (CNN)", "share small filters across an image; see edges, then shapes",
     "pages/vision.py", "Vision", ":material/photo_camera:"),
    ("Recurrent networks (RNN, GRU, LSTM)", "read a sequence step by step with a memory",
     "pages/timeseries.py", "Time series", ":material/timeline:"),
    ("Autoencoders and VAEs", "squeeze data through a bottleneck and rebuild it",
     "pages/generative.py", "Generative models", ":material/auto_awesome:"),
    ("GANs", "a generator and a critic learn against each other",
     "pages/generative.py", "Generative models", ":material/auto_awesome:"),
    ("Transformers", "attention lets every token look at every other token",
     "pages/nlp.py", "Language (NLP)", ":material/translate:"),
    ("Diffusion models", "learn to remove noise, step by step, until an image appears",
     "pages/generative.py", "Generative models", ":material/auto_awesome:"),
    ("Representation learning", "cluster in a learned space instead of raw pixels",
     "pages/clustering.py", "Clustering", ":material/bubble_chart:"),
    ("Embeddings of people and things", "a vector per user and per film; close vectors, similar tastes",
     "pages/recommend.py", "Recommendations", ":material/movie:"),
    ("Speech transformers", "turn a log-mel spectrogram into words, beside a classical HMM recogniser",
     "pages/speech.py", "Speech", ":material/mic:"),
    ("Policy and value networks", "learn which action pays off, from rewards alone",
     "pages/rl.py", "Reinforcement learning", ":material/sports_esports:"),
]
cols = st.columns(2, gap="large")
for i, (name, what, script, page, icon) in enumerate(families):
    with cols[i % 2]:
        st.markdown(f"**{name}**: {what}.")
        link(script, f"Try it: {page}", icon)

st.subheader("Models on this machine")
st.caption("Bundled models ship inside Python packages and work offline. Models marked *online* are "
           "optional extras downloaded from the Hugging Face Hub on first use. *Trained here* "
           "models are trained by this app from bundled data the first time a page needs them.")
status = {"bundled": "offline", "hub": "online download", "local": "trained here"}
rows = [{"model": s.name, "what it does": s.description, "source": status[s.source],
         "ready now": "yes" if registry.available(s.name) else "no", "licence": s.licence,
         "size (MB)": s.size_mb} for s in registry.specs()]
st.markdown(markdown.table(rows))  # a static table: no grid script for a first visitor to load (ui/markdown.py)
