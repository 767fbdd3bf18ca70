"""Deep Learning Explorer: `streamlit run app.py` (or `make run`).

Only the page list lives here. A use-case page appears in the menu once its script exists in pages/;
there are no placeholders. Heavy libraries are imported by the pages that need them, so the home
page appears at once.
"""

import gc
import uuid
from pathlib import Path

import streamlit as st

from dl_core import limit_threads, tracking
from ui import device, errors

limit_threads()
ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="Deep Learning Explorer", page_icon=":material/neurology:", layout="wide")

# (group, script, title, icon)
PAGES = [
    ("Start", "pages/home.py", "Home", ":material/home:"),
    ("Start", "pages/experiments.py", "Experiments", ":material/science:"),
    ("See", "pages/vision.py", "Vision", ":material/photo_camera:"),
    ("Read and write", "pages/nlp.py", "Language (NLP)", ":material/translate:"),
    ("Create", "pages/generative.py", "Generative models", ":material/auto_awesome:"),
    ("Find structure", "pages/clustering.py", "Clustering", ":material/bubble_chart:"),
    ("Predict", "pages/timeseries.py", "Time series", ":material/timeline:"),
    ("Predict", "pages/fraud.py", "Fraud detection", ":material/credit_card:"),
    ("Predict", "pages/recommend.py", "Recommendations", ":material/movie:"),
    ("Hear", "pages/speech.py", "Speech", ":material/mic:"),
    ("Act", "pages/rl.py", "Reinforcement learning", ":material/sports_esports:"),
]

nav: dict[str, list] = {}
for group, script, title, icon in PAGES:
    if (ROOT / script).is_file():
        nav.setdefault(group, []).append(
            st.Page(script, title=title, icon=icon, default=script == "pages/home.py"))

# An anonymous id per browser session: runs it logs are tagged with it, so the Experiments page can
# show "this session's runs". Set per script run, because each run may happen on another thread.
session_id = st.session_state.setdefault("dlx_session_id", uuid.uuid4().hex[:12])
tracking.set_session(session_id)

page = st.navigation(nav)
with errors.unexpected_errors():
    page.run()
# Drawn after the page so that importing torch to find the device never delays the page itself.
device.badge()


# Python's full garbage collections hold the GIL, so every person's page waits for them: with torch,
# MLflow, plotly, sklearn and the shared models alive (~630,000 objects) one took 0.25-0.6 s on 2 cores.
# Streamlit's own collection after every run is off (.streamlit/config.toml, runner.postScriptGC); the
# interpreter's automatic ones remain. Objects that already survived a full collection are long-lived
# (modules, cached models, sessions' kept results): once there are many, move them into the permanent
# generation, which collections skip. Refcounting still frees them; only reference cycles among them stay.
FREEZE_ABOVE = 50_000  # survivors of a full collection; counting them costs ~5 ms per 200,000
if len(gc.get_objects(generation=2)) > FREEZE_ABOVE:
    gc.freeze()
