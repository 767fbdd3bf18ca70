"""Streamlit pieces shared by the pages: error boundary, cached loaders, live training, charts, cards."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

# Because a `pages/` folder sits beside app.py, Streamlit runs the first session of a fresh server in
# its old multipage mode (each pages/*.py on its own, without app.py's st.navigation, page config and
# grouped menu) until app.py has called st.navigation once. A person who opens a bookmarked /vision
# right after a restart would get that page. Every page imports `ui`, so this is the one place to
# switch that mode off and rerun the same URL through app.py.
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    st.rerun()
