"""Speech: record or upload a voice, see what the network hears, transcribe it offline with a deep
recogniser beside a classical one, score both, and carry the text on to the language tools.

Tabs -> views in ui/speech/ (source, transcribe, score, carry_on) -> engine calls in dl_core/speech/
(read_audio, log_mel, transcribe, word_error_rate) and dl_core.nlp for the follow-ups.
"""

import streamlit as st

from ui import tabs
from ui.speech import carry_on, score, source, transcribe

st.title("Speech: from your voice to text")
st.markdown(
    "Speech recognition turns sound into words. Record yourself, upload a file or pick a sample; see "
    "the **log-mel spectrogram** a network actually reads; then let **Whisper tiny.en** (a transformer "
    "trained on 680,000 hours of speech) and **pocketsphinx** (the classical hidden-Markov-model "
    "recogniser) transcribe it side by side and count their mistakes. Everything runs offline, on this "
    "server; your audio is never stored."
)

# Only the open tab runs (?speech_tab=... in the URL): the hidden Transcribe tab's model cards cost a
# new browser nothing. Settings of the closed tabs are kept (ui/tabs.py); the decoded clip and the
# transcripts live in the session (ui/speech/shared.py, ui.actions), so every tab sees them.
tabs.show("speech_tab", [
    tabs.Tab("Your audio", source.view, ("speech_source", "speech_sample", "speech_record", "speech_upload")),
    tabs.Tab("Transcribe", transcribe.view, ("speech_beam", "speech_temperature", "speech_fallback", "speech_vad",
                                             "speech_decoding_open", "speech_both", "speech_go", "speech_segments_",
                                             "speech_card_")),
    tabs.Tab("Word error rate", score.view, ("speech_reference",)),
    tabs.Tab("Carry on", carry_on.view, ("speech_carry_", "speech_moods")),
])
