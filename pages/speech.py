"""Speech: record or upload a voice, see what the network hears, transcribe it offline with a deep
recogniser beside a classical one, score both, and carry the text on to the language tools.

Tabs -> views in ui/speech/ (source, transcribe, score, carry_on) -> engine calls in dl_core/speech/
(read_audio, log_mel, transcribe, word_error_rate) and dl_core.nlp for the follow-ups.
"""

import streamlit as st

import ui  # noqa: F401  (the app-shell guard in ui/__init__.py)
from ui.speech import carry_on, score, source, transcribe

st.title("Speech: from your voice to text")
st.markdown(
    "Speech recognition turns sound into words. Record yourself, upload a file or pick a sample; see "
    "the **log-mel spectrogram** a network actually reads; then let **Whisper tiny.en** (a transformer "
    "trained on 680,000 hours of speech) and **pocketsphinx** (the classical hidden-Markov-model "
    "recogniser) transcribe it side by side and count their mistakes. Everything runs offline, on this "
    "server; your audio is never stored."
)

t_audio, t_text, t_score, t_more = st.tabs(["Your audio", "Transcribe", "Word error rate", "Carry on"])
with t_audio:
    source.view()
with t_text:
    transcribe.view()
with t_score:
    score.view()
with t_more:
    carry_on.view()
