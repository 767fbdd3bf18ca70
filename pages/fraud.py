"""Fraud detection: synthetic or uploaded card transactions, a supervised MLP and an autoencoder beside
the baselines a fraud team would try first, and the numbers such a team decides with: precision,
recall, PR-AUC, a threshold, and money."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from dl_core import fraud
from ui import charts, errors, training
from ui import fraud_charts as fc

RUN = "fraud::run"  # the person's trained models and the data they were trained on
DATA = "fraud::data"  # the prepared data for the current settings, and its key
COSTS = {"fn": 250.0, "fp": 5.0}


@dataclass
class Run:
    """What one click on 'Train' produced (kept in this person's session only)."""

    key: tuple
    data: fraud.FraudData
    scorers: dict[str, fraud.Scorer] = field(default_factory=dict)
    evals: dict[str, tuple[int, fraud.Evaluation]] = field(default_factory=dict)  # name -> (id(scorer), eval)


@st.cache_data(max_entries=4, show_spinner="Generating transactions…")
def synthetic(rows: int, rate: float, difficulty: float, seed: int) -> pd.DataFrame:
    return fraud.generate(fraud.GeneratorConfig(rows=rows, fraud_rate=rate, difficulty=difficulty, seed=seed))


@st.cache_data(max_entries=2, show_spinner=False)
def example_batch(seed: int) -> bytes:
    frame = fraud.generate(fraud.GeneratorConfig(rows=1_000, fraud_rate=0.03, seed=seed + 1000))
    return frame.drop(columns=["is_fraud"]).to_csv(index=False).encode()


def read_upload(upload: Any, slot: str) -> tuple[pd.DataFrame, list[str]]:
    """Parse an upload once per file (kept in the session), not on every slider move."""
    key = f"fraud::upload::{slot}"
    cached = st.session_state.get(key)
    if cached and cached[0] == upload.file_id:
        return cached[1], cached[2]
    frame, notices = fraud.read_table(upload.getvalue(), name=upload.name)
    st.session_state[key] = (upload.file_id, frame, notices)
    return frame, notices


st.title("Fraud detection")
st.markdown(
    "Fraud is **rare** (often under 1 % of card transactions), so accuracy means nothing: a model "
    "that never flags anything is 99 % accurate. Fraud teams look at **precision** (how many alerts are "
    "real fraud), **recall** (how much fraud is caught) and the **cost** of both kinds of mistake. Here "
    "a supervised neural network (MLP) and an autoencoder that only ever sees normal transactions are "
    "compared with logistic regression, Isolation Forest and gradient-boosted trees on the same test set.")

# ---- 1. data -------------------------------------------------------------------------------------
st.header("1 · Data", divider="gray")
source = st.radio("Transactions", ["Synthetic (generated here)", "My labelled CSV"], key="fraud_source",
                  horizontal=True)
upload_notices: list[str] = []
if source.startswith("Synthetic"):
    c1, c2, c3, c4 = st.columns(4)
    rows = c1.slider("Transactions", 2_000, 200_000, 20_000, step=1_000, key="fraud_rows")
    rate = c2.slider("Fraud rate (%)", 0.1, 10.0, 2.0, step=0.1, key="fraud_rate")
    difficulty = c3.slider("Difficulty", 0.0, 1.0, 0.5, step=0.05, key="fraud_difficulty",
                           help="0: fraud stands out. 1: fraudsters imitate normal customers.")
    seed = int(c4.number_input("Seed", 0, 1_000_000, 0, key="fraud_seed"))
    with errors.guard():
        frame = synthetic(rows, rate / 100, difficulty, seed)
    label_col, positive, detected = "is_fraud", None, "is_fraud"
    data_key: tuple = ("synthetic", rows, rate, difficulty, seed)
    st.caption("Each row is a card payment: amount, hour, merchant category, distance from the card holder's "
               "home, payments in the last 24 h, the holder's usual spend, card present, new device. Fraud "
               "follows four patterns (card-not-present at night, card testing with tiny amounts, skimmed "
               "cards cashed out far from home, account takeover); difficulty makes fraudsters copy normal "
               "behaviour. `transaction_id` is an identifier and is dropped, with a notice.")
else:
    upload = st.file_uploader("Labelled transactions (CSV, up to 200 MB)", type=["csv", "txt"], key="fraud_csv",
                              help="One row per transaction and a label column (0/1, Yes/No, fraud/legit…). "
                                   "The Time, V1…V28, Amount, Class layout is recognised automatically.")
    if upload is None:
        st.info("Upload a CSV with a label column, or switch to synthetic transactions.", icon=":material/upload:")
        st.stop()
    with errors.guard():
        frame, upload_notices = read_upload(upload, "train")
    detected = fraud.detect_label(frame)
    cols = list(frame.columns)
    c1, c2 = st.columns(2)
    label_col = c1.selectbox("Label column (which rows are fraud)", cols, key="fraud_label",
                             index=cols.index(detected) if detected in cols else None,
                             placeholder="Choose the label column")
    if label_col is None:
        st.info("No label column was recognised: choose the column that says which rows are fraud.")
        st.stop()
    with errors.guard():
        fraud.binary_labels(frame, label_col)  # refuses a missing, single-class or non-binary label at once
    levels = fraud.label_values(frame, label_col)
    choice = c2.selectbox("Fraud value", ["the rarer value"] + levels, key="fraud_positive")
    positive = None if choice == "the rarer value" else choice
    data_key = ("csv", upload.file_id, label_col, positive)

with errors.guard():
    if st.session_state.get(DATA, (None,))[0] != data_key:
        # The detected label goes in as None, so that prepare() says how it recognised it.
        auto = None if source.startswith("My") and label_col == detected else label_col
        st.session_state[DATA] = (data_key, fraud.prepare(frame, label_col=auto, positive=positive))
    data: fraud.FraudData = st.session_state[DATA][1]
errors.notices(upload_notices + data.notices)
summary = data.summary()
m = st.columns(4)
m[0].metric("Rows", f"{len(frame):,}")
for col, (split, s) in zip(m[1:], summary.items()):
    col.metric(f"{split.capitalize()} split", f"{s['rows']:,}", f"{s['fraud']:,} fraud ({s['fraud'] / s['rows']:.2%})",
               delta_color="off")
with st.expander("Preview the transactions"):
    st.dataframe(frame.head(200), hide_index=True)

# ---- 2. train ------------------------------------------------------------------------------------
st.header("2 · Train", divider="gray")
with st.expander("Model settings", icon=":material/tune:"):
    a, b = st.columns(2)
    with a:
        st.markdown("**MLP (supervised)**")
        loss = st.radio("Handling the imbalance", ["class weights", "focal loss"], key="fraud_loss", horizontal=True,
                        help="Class weights count every fraud as many normal rows; focal loss down-weights the "
                             "easy, confident examples.")
        layers = st.slider("Hidden layers", 1, 4, 2, key="fraud_layers")
        width = st.select_slider("Width", [8, 16, 32, 64, 128, 256], 64, key="fraud_width")
        dropout = st.slider("Dropout", 0.0, 0.5, 0.1, step=0.05, key="fraud_dropout")
        lr = st.select_slider("Learning rate", [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2], 3e-3, key="fraud_lr")
        epochs = st.slider("Epochs (at most; stops early when validation loss stalls)", 1, 100, 20, key="fraud_epochs")
        model_seed = int(st.number_input("Model seed", 0, 1_000_000, 0, key="fraud_model_seed"))
    with b:
        st.markdown("**Autoencoder (unsupervised) and baselines**")
        bottleneck = st.slider("Autoencoder bottleneck", 2, 16, 6, key="fraud_bottleneck",
                               help="How narrow the code is: too wide and it rebuilds fraud just as well.")
        ae_epochs = st.slider("Autoencoder epochs", 1, 100, 20, key="fraud_ae_epochs")
        others = st.multiselect("Also train", ["autoencoder", *fraud.BASELINES], ["autoencoder", *fraud.BASELINES],
                                format_func=lambda n: fraud.LABELS[n], key="fraud_others")

if st.button("Train models", type="primary", key="fraud_train", icon=":material/model_training:"):
    run = Run(key=data_key, data=data)
    st.session_state[RUN] = run
    training.clear("fraud_mlp")
    training.clear("fraud_ae")
    with errors.guard():
        for name in [b for b in fraud.BASELINES if b in others]:
            with st.spinner(f"Training {fraud.LABELS[name]}…"):
                run.scorers[name], _ = fraud.train_tracked(name, data, seed=model_seed, source="app")
        cfg = fraud.MLPConfig(layers=layers, width=width, dropout=dropout, lr=lr, epochs=epochs, seed=model_seed,
                              loss="focal" if loss == "focal loss" else "weighted")
        live = training.LiveTraining("fraud_mlp", epochs, title="MLP")
        run.scorers["mlp"], result = fraud.train_tracked("mlp", data, seed=model_seed, mlp=cfg, callbacks=[live],
                                                         source="app")
        live.finish(run.scorers["mlp"].model, result)
        if "autoencoder" in others:
            ae_cfg = fraud.AEConfig(bottleneck=bottleneck, width=max(32, 2 * bottleneck), epochs=ae_epochs,
                                    seed=model_seed)
            live = training.LiveTraining("fraud_ae", ae_epochs, title="Autoencoder (normal transactions only)")
            run.scorers["autoencoder"], result = fraud.train_tracked("autoencoder", data, seed=model_seed, ae=ae_cfg,
                                                                     callbacks=[live], source="app")
            live.finish(run.scorers["autoencoder"].model, result)
    # Redraw without the live widgets (Stop button, progress bars): the results below are final now.
    st.rerun()

run: Run | None = st.session_state.get(RUN)
if run is None:
    st.info("Click **Train models**: the baselines take a few seconds, then the networks train live.",
            icon=":material/info:")
    st.stop()

# A Stop click reruns the page mid-training: pick up the partly trained networks from the session.
for name, key in (("mlp", "fraud_mlp"), ("autoencoder", "fraud_ae")):
    s = training.state(key)
    if name not in run.scorers and s is not None and s.model is not None:
        run.scorers[name] = (fraud.autoencoder_scorer(s.model, run.data, complete=False) if name == "autoencoder"
                             else fraud.Scorer(name, s.model, complete=False))
if not run.scorers:
    st.warning("Training was stopped before any model finished; click **Train models** again.")
    st.stop()
if run.key != data_key:
    st.warning("The data settings changed since training: everything below is for the data the models were "
               "trained on. Click **Train models** to retrain.", icon=":material/history:")
data = run.data
for s in run.scorers.values():
    errors.notices(s.notices)
done = [f"{fraud.LABELS[n]} {st_.seconds:.1f} s" + ("" if st_.complete else " (stopped part-way)")
        for n, st_ in run.scorers.items()]
st.success("Trained: " + " · ".join(done) + ".", icon=":material/check_circle:")
with st.expander("Training curves of the networks", expanded=False, icon=":material/show_chart:"):
    training.show_history("fraud_mlp")
    training.show_history("fraud_ae")

evals: dict[str, fraud.Evaluation] = {}
for name, s in run.scorers.items():
    if run.evals.get(name, (None,))[0] != id(s):
        run.evals[name] = (id(s), fraud.evaluate(s, data))
    evals[name] = run.evals[name][1]

# ---- 3. evaluate ---------------------------------------------------------------------------------
st.header("3 · Compare on the test split", divider="gray")
table = fraud.metrics_table(evals)
st.dataframe(table, hide_index=True, key="fraud_metrics",
             column_config={c: st.column_config.NumberColumn(format="%.3f") for c in table.columns if c != "model"})
best = table.iloc[0]["model"]
verdict = f"Best PR-AUC on the test split: **{best}**."
if "hgb" in evals and "mlp" in evals:
    gap = evals["hgb"].test["pr_auc"] - evals["mlp"].test["pr_auc"]
    verdict += (f" Gradient-boosted trees beat the MLP by {gap:.3f} PR-AUC: on tables of hand-made features "
                "trees are very often the strongest model, and a fair comparison says so." if gap > 0 else
                f" The MLP beats gradient-boosted trees by {-gap:.3f} PR-AUC here.")
st.markdown(verdict + " Thresholds are chosen on the validation split (best F1); precision, recall and F1 are "
            "measured at that threshold on the test split. PR-AUC is the area under the precision–recall curve "
            f"(a random guess scores {data.y_test.mean():.3f}, the fraud rate).")
st.plotly_chart(fc.pr_roc_figure(data.y_test, {n: e.test_scores for n, e in evals.items()}), key="fraud_curves")


def _reset_threshold() -> None:
    name = st.session_state["fraud_view"]
    st.session_state["fraud_threshold"] = round(float(np.clip(evals[name].threshold, 0, 1)), 3)


names = list(evals)
view = st.selectbox("Model to set a threshold for", names, format_func=lambda n: fraud.LABELS[n], key="fraud_view",
                    index=names.index("mlp") if "mlp" in names else 0, on_change=_reset_threshold)
ev = evals[view]
if "fraud_threshold" not in st.session_state:
    st.session_state["fraud_threshold"] = round(float(np.clip(ev.threshold, 0, 1)), 3)
left, right = st.columns([3, 2], gap="large")
with right:
    st.markdown("**What a mistake costs**")
    cost_fn = st.number_input("Cost of a missed fraud", 0.0, 1e7, COSTS["fn"], step=10.0, key="fraud_cost_fn",
                              help="The amount lost plus chargeback fees and handling.")
    cost_fp = st.number_input("Cost of a false alarm", 0.0, 1e7, COSTS["fp"], step=1.0, key="fraud_cost_fp",
                              help="An analyst's review, a blocked card, an annoyed customer.")
    with errors.guard():
        best_t, _ = fraud.best_cost_threshold(data.y_val, ev.val_scores, cost_fn, cost_fp)

    def _use_best() -> None:
        st.session_state["fraud_threshold"] = round(min(best_t, 1.0), 3)

    st.button("Use the cost-minimising threshold", key="fraud_use_best", on_click=_use_best)
with left:
    threshold = st.slider("Threshold: flag a transaction when its score is at least", 0.0, 1.0, step=0.001,
                          format="%.3f", key="fraud_threshold")
    cm = fraud.confusion(data.y_test, ev.test_scores, threshold)
    k = st.columns(4)
    k[0].metric("Caught", f"{cm[1, 1]:,}", help="Frauds flagged (true positives)")
    k[1].metric("Missed", f"{cm[1, 0]:,}", help="Frauds let through (false negatives)")
    k[2].metric("False alarms", f"{cm[0, 1]:,}", help="Normal transactions flagged (false positives)")
    k[3].metric("Passed", f"{cm[0, 0]:,}", help="Normal transactions let through (true negatives)")
    at = fraud.metrics_at(data.y_test, ev.test_scores, threshold)
    st.caption(f"At {threshold:.3f} on the test split: precision {at['precision']:.3f}, recall {at['recall']:.3f}, "
               f"F1 {at['f1']:.3f}; {int(cm[:, 1].sum()):,} alerts out of {len(data.y_test):,} transactions.")
    st.plotly_chart(charts.confusion_figure(cm, [f"normal ({data.negative})", f"fraud ({data.positive})"],
                                            title=f"{fraud.LABELS[view]}: confusion matrix (test)"),
                    key="fraud_confusion")
with right:
    here = fraud.cost_per_1000(data.y_test, ev.test_scores, threshold, cost_fn, cost_fp)
    at_best = fraud.cost_per_1000(data.y_test, ev.test_scores, best_t, cost_fn, cost_fp)
    none = fraud.cost_per_1000(data.y_test, ev.test_scores, 2.0, cost_fn, cost_fp)
    st.metric("Cost per 1,000 transactions", f"{here:,.0f}", f"{here - none:+,.0f} vs flagging nothing",
              delta_color="inverse", help="Expected cost on the test split at the slider's threshold.")
    st.metric("Cost-minimising threshold", f"{min(best_t, 1.0):.3f}",
              help="Chosen on the validation split, so the test cost below is an honest estimate.")
    st.caption(f"At that threshold the test split costs **{at_best:,.0f}** per 1,000 transactions; flagging "
               f"nothing would cost {none:,.0f}.")
    st.plotly_chart(fc.cost_figure(data.y_test, ev.test_scores, cost_fn, cost_fp, threshold, best_t),
                    key="fraud_cost_curve")
if "autoencoder" in run.scorers:
    errs = run.scorers["autoencoder"].raw(data.X_test)
    st.plotly_chart(fc.error_histogram(errs, data.y_test, data.positive, data.negative), key="fraud_ae_hist")
    st.caption("The autoencoder learned to rebuild normal transactions only; fraud it has never seen tends to be "
               "rebuilt worse. Where the two histograms overlap, no threshold on this score can separate them.")

# ---- 4. explain ----------------------------------------------------------------------------------
st.header("4 · Why was this transaction flagged?", divider="gray")
deep = [n for n in ("mlp", "autoencoder") if n in run.scorers]
if not deep:
    st.info("Attributions are computed for the neural networks; train the MLP or the autoencoder.")
else:
    who = st.radio("Network", deep, format_func=lambda n: fraud.LABELS[n], key="fraud_explain_model", horizontal=True)
    scores = evals[who].test_scores
    t = threshold if who == view else evals[who].threshold
    flagged = np.flatnonzero(scores >= t)
    flagged = flagged[np.argsort(-scores[flagged])][:100]
    if len(flagged) == 0:
        st.info(f"No test transaction scores ≥ {t:.3f}; lower the threshold to flag some.")
    else:
        row = st.selectbox(
            f"A flagged test transaction ({len(flagged)} most suspicious shown, threshold {t:.3f})", flagged,
            key="fraud_explain_row",
            format_func=lambda i: f"#{data.test_rows.index[i]} · score {scores[i]:.3f} · actually "
                                  f"{'fraud' if data.y_test[i] else 'normal'}")
        with st.spinner("Integrated gradients (captum)…"):
            attr = fraud.explain(run.scorers[who], data, int(row))
        st.plotly_chart(fc.attribution_figure(attr, f"What pushed this {'fraud score' if who == 'mlp' else 'error'} "
                                                    "up (red) or down (blue)"), key="fraud_attr")
        st.caption("Integrated gradients from an average normal transaction to this one: the bars add up to the "
                   "change in the network's output (the MLP's logit, or the autoencoder's error). One-hot columns "
                   "are summed back into their original column.")

# ---- 5. score a batch ----------------------------------------------------------------------------
st.header("5 · Score new transactions", divider="gray")
st.download_button("Example batch: 1,000 new synthetic transactions (no label)", example_batch(0),
                   "new_transactions.csv", "text/csv", key="fraud_example", icon=":material/download:")
batch = st.file_uploader("Transactions to score (CSV with the same columns, label not needed)", type=["csv", "txt"],
                         key="fraud_score_csv")
if batch is not None:
    with errors.guard():
        new, batch_notices = read_upload(batch, "score")
        who = st.selectbox("Score with", names, format_func=lambda n: fraud.LABELS[n], key="fraud_score_model",
                           index=names.index(view))
        t = threshold if who == view else evals[who].threshold
        scored, more = fraud.score_frame(run.scorers[who], data.preprocessor, new, t, label_col=data.label_col)
    errors.notices(batch_notices + more)
    hits = scored[scored["flagged"]].sort_values("fraud_score", ascending=False)
    st.metric("Flagged", f"{len(hits):,} of {len(scored):,}", f"threshold {t:.3f}", delta_color="off")
    st.dataframe(hits.head(1000), hide_index=True, key="fraud_flagged")
    buf = io.StringIO()
    scored.to_csv(buf, index=False)
    st.download_button("Download all scores (CSV)", buf.getvalue().encode(), "fraud_scores.csv", "text/csv",
                       key="fraud_download", icon=":material/download:")
