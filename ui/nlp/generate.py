"""Generate tab: SmolLM2 writes, token by token; the first token's candidates show what sampling means."""

from __future__ import annotations

import streamlit as st

from dl_core import nlp
from ui import actions, cards, errors, loaders

from . import drawing

LM = "smollm2-135m-instruct"


def view() -> None:
    st.markdown("**SmolLM2-135M-Instruct**, a small chat model bundled offline. The first use loads it "
                "(about 20 s on a laptop; longer on slow machines); then it stays loaded.")
    prompt = st.text_area("Prompt", "Give me three tips for learning a new language.", height=90, key="nlp_gen_prompt")
    config = _settings()
    clicked = st.button("Generate", type="primary", key="nlp_gen_go", icon=":material/edit_note:")
    live = st.empty()  # the text as it streams in, replaced by the finished result below
    out = actions.run("nlp_gen", clicked, lambda: generate(prompt, config, live))
    if out is not None:
        show(out)
    cards.model_card(LM)


@st.fragment
def _settings() -> nlp.GenerationConfig:
    """The sampling settings: a fragment, so moving one redraws only them (issue 13). The text on the tab is
    of the last Generate click and says nothing of the current settings; Generate is a full run."""
    chat = st.toggle("Instruction (chat) mode", True, key="nlp_gen_chat",
                     help="On: the prompt is wrapped in the model's chat template. Off: plain text continuation.")
    c = st.columns(5)
    temperature = c[0].slider("Temperature", 0.0, 2.0, 0.7, 0.05, key="nlp_gen_temp", help="0 = always the top token")
    top_k = c[1].slider("Top-k", 0, 200, 50, key="nlp_gen_topk", help="0 = off")
    top_p = c[2].slider("Top-p", 0.05, 1.0, 0.9, 0.05, key="nlp_gen_topp")
    max_new = c[3].slider("Max new tokens", 1, 512, 100, key="nlp_gen_max")
    seed = c[4].number_input("Seed", 0, 100_000, 0, key="nlp_gen_seed")
    return nlp.GenerationConfig(max_new_tokens=int(max_new), temperature=float(temperature), top_k=int(top_k),
                                top_p=float(top_p), seed=int(seed), chat=chat)


def generate(prompt: str, config: nlp.GenerationConfig, live) -> dict:
    config.check()
    lm = loaders.model(LM)
    _, notices = nlp.prompt_ids(lm, prompt, config.chat)
    errors.notices(notices)
    cands = nlp.next_token_distribution(lm, prompt, config)
    stream = nlp.stream(lm, prompt, config)
    with live.container():
        st.plotly_chart(_bars(cands), key="nlp_gen_probs_live")
        with st.container(border=True):
            st.write_stream(iter(stream))  # tokens appear as they are produced
    result = stream.result()
    live.empty()
    return {"cands": cands, "result": result}


def _bars(cands: list[nlp.Candidate]):
    return drawing.probability_bars([x.token for x in cands], [x.probability for x in cands], [x.kept for x in cands])


def show(out: dict) -> None:
    st.plotly_chart(_bars(out["cands"]), key="nlp_gen_probs")
    result: nlp.GeneratedText = out["result"]
    with st.container(border=True, key="nlp_gen_result"):
        st.markdown(result.text)
    if result.note:
        st.caption(result.note)
