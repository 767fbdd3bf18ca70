"""Results tab "Score new rows": upload rows without a label, score them with a trained model."""

from __future__ import annotations

import io

import streamlit as st

from dl_core import fraud
from dl_core.errors import InputError
from ui import errors

from .data import read_upload, upload_limit_mb
from .train import Run
from .words import Words


@st.cache_data(max_entries=2, show_spinner=False)
def example_batch(seed: int) -> bytes:
    frame = fraud.generate(fraud.GeneratorConfig(rows=1_000, fraud_rate=0.03, seed=seed + 1000))
    return frame.drop(columns=["is_fraud"]).to_csv(index=False).encode()


def view(run: Run, words: Words) -> None:
    data, evaluations = run.data, run.evaluations
    if words.terms.about_fraud:
        st.download_button("Example batch: 1,000 new synthetic transactions (no label)", example_batch(0),
                           "new_transactions.csv", "text/csv", key="fraud_example", icon=":material/download:",
                           on_click="ignore")
    batch = st.file_uploader(f"{words.rows.capitalize()} to score (CSV with the same columns, label not needed; up "
                             f"to {upload_limit_mb()} MB)", type=["csv", "txt"], key="fraud_score_csv")
    if batch is None:
        return
    names = list(evaluations)
    view_model = st.session_state.get("fraud_view", "mlp" if "mlp" in names else names[0])
    with errors.guard():
        new, notices, error = read_upload(batch.file_id, batch)
        if error:
            raise InputError(error)
        who = st.selectbox("Score with", names, format_func=lambda n: fraud.LABELS[n], key="fraud_score_model",
                           index=names.index(view_model) if view_model in names else 0)
        t = (st.session_state["fraud_threshold"] if who == view_model and "fraud_threshold" in st.session_state
             else evaluations[who].threshold)
        scored, more = fraud.score_frame(run.scorers[who], data.preprocessor, new, t, label_col=data.label_col,
                                         score_column=words.terms.score_column)
    errors.notices(notices + more)
    hits = scored[scored["flagged"]].sort_values(words.terms.score_column, ascending=False)
    st.metric("Flagged", f"{len(hits):,} of {len(scored):,}", f"threshold {t:.3f}", delta_color="off")
    st.dataframe(hits.head(1000), hide_index=True, key="fraud_flagged")
    buf = io.StringIO()
    scored.to_csv(buf, index=False)
    st.download_button("Download all scores (CSV)", buf.getvalue().encode(), f"{words.terms.score_column}s.csv",
                       "text/csv", key="fraud_download", icon=":material/download:", on_click="ignore")
