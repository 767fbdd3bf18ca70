"""Views of the Recommendations page, one module per tab; `state` holds what the tabs share."""
