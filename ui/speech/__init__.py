"""Views of the speech page (pages/speech.py): one module per tab (source, transcribe, score,
carry_on), the shared recognisers and this session's clip (shared.py), figures and HTML (render.py)."""
