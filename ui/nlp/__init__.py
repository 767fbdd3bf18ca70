"""The NLP page's views, one module per tab (pages/nlp.py routes the tabs to them)."""
