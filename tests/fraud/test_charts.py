"""The threshold tab's confusion matrix as HTML (ui/fraud/charts.confusion_html)."""

from __future__ import annotations

import re

import numpy as np

from ui.fraud.charts import confusion_html


def test_the_confusion_table_puts_each_count_in_its_cell_and_escapes_a_files_labels():
    cm = np.array([[90, 10], [3, 7]])  # fraud.confusion's [[TN, FP], [FN, TP]]
    html = confusion_html(cm, "<img src=x onerror=alert(1)> (1)", "ok & fine (0)", "'<i>bad</i>' rows",
                          "'ok' rows", "MLP <script>: confusion matrix")
    cells = dict(re.findall(r'data-cell="([^"]+)" data-count="(\d+)"', html))
    assert cells == {"Caught": "7", "Missed": "3", "False alarms": "10", "Passed": "90"}
    assert "<img" not in html and "<script>" not in html and "<i>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; (1)" in html and "ok &amp; fine (0)" in html
    # Each row's shares: caught 70% of the positives, false alarms 10% of the negatives; darker = larger share.
    assert "70.0% of &#x27;&lt;i&gt;bad&lt;/i&gt;&#x27; rows" in html and "10.0% of &#x27;ok&#x27; rows" in html
    # An empty row (no positives in the split) gives 0% shares, not a division error.
    empty = confusion_html(np.array([[5, 0], [0, 0]]), "1", "0", "frauds", "normal transactions", "t")
    assert "0.0% of frauds" in empty and 'data-count="5"' in empty
