"""Streamlit pieces shared by the pages: error boundary, cached loaders, live training, charts, cards."""
