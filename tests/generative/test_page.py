"""AppTest of the generative page: every tab renders, faces follow the seed, the labs train and
replay at once, bad uploads explain, a second session waits for the default model, the page
and the command line give the same VAE run, and the settings sections redraw alone (ui/fragments.py)
until results of theirs are shown."""

from __future__ import annotations

import base64
import io
import json
import threading
import time

import numpy as np
import pytest
from PIL import Image

from dl_core import generative, store, tracking
from tests.conftest import exceptions, open_page
from tests.generative.test_cli import run_cli
from tests.ui.helpers import alone_calls, echarts_spec, tab_labels

PAGE = "pages/generative.py"


def _images(page) -> list[tuple[str, str]]:
    """(url, caption) of every image drawn; a url is a hash of the picture's bytes."""
    return [(url, caption) for image in page.get("image") for url, caption in zip(image.value, image.captions)]


def tab(page, label: str):
    """Open one tab (ui/tabs.py: only the open tab's view runs)."""
    page.session_state["generative_tab"] = label
    page.run()
    assert not exceptions(page), exceptions(page)
    return page


def _keys(widgets) -> set[str]:
    return {w.key for w in widgets}


@pytest.fixture
def sections(monkeypatch):
    """How each `fragments.alone` call of a run drew its section (tests/ui/helpers.alone_calls)."""
    return alone_calls(monkeypatch)


def _alone_in(page, calls: list) -> list[tuple[str, bool]]:
    """Rerun the page and say how its settings sections were drawn (see `sections`)."""
    calls.clear()
    page.run()
    assert not exceptions(page), exceptions(page)
    return list(calls)


@pytest.fixture(scope="module")
def page(tiny_diffusion):
    """The page with no default diffusion model saved yet (the first test makes one)."""
    store.path_for(generative.MODEL_FILE).unlink(missing_ok=True)
    at = open_page(PAGE)
    assert not exceptions(at)
    return at


def test_a_session_that_finds_the_default_being_trained_waits_for_it(page, tiny_diffusion):
    tab(page, "Diffusion on digits")
    assert "gen_diff_train_default" in _keys(page.button) and "gen_diff_model" not in _keys(page.radio)

    def other_session() -> None:  # holds the build lock as a training session would, then saves
        with store.build_lock(generative.MODEL_NAME):
            holding.set()
            time.sleep(1.5)
            generative.save_model(tiny_diffusion.model)

    holding = threading.Event()
    other = threading.Thread(target=other_session)
    other.start()
    assert holding.wait(30)
    runs_before = len(tracking.runs("generative/diffusion-digits"))
    page.button(key="gen_diff_train_default").click().run()
    other.join(timeout=30)
    assert not exceptions(page)
    assert len(tracking.runs("generative/diffusion-digits")) == runs_before  # this session trained nothing
    assert "gen_diff_train_default" not in _keys(page.button)
    assert page.radio(key="gen_diff_model").options == ["saved model (trained on this machine)"]


def test_page_renders_all_tabs_and_faces(page):
    labels = ["Faces (GAN)", "Diffusion on digits", "Text-to-image (online)", "VAE latent space", "GAN lab (2-D)"]
    assert tab_labels(page, "generative_tab")[:5] == labels
    drawn = {}
    for label in labels:  # only the open tab is drawn: each tab's own widgets, and no other's
        drawn[label] = _keys(tab(page, label).slider) | _keys(page.button) | _keys(page.number_input)
    assert {"gen_face_n", "gen_interp_a"} <= drawn["Faces (GAN)"] and "gen_diff_n" not in drawn["Faces (GAN)"]
    assert "gen_vae_epochs" in drawn["VAE latent space"] and "gen_face_n" not in drawn["VAE latent space"]
    assert "gen_gan_train" in drawn["GAN lab (2-D)"] and "gen_t2i_load" in drawn["Text-to-image (online)"]
    tab(page, "Faces (GAN)")
    assert [page.number_input(key=k).value for k in ("gen_face_seed", "gen_interp_a", "gen_interp_b")] == [0, 1, 2]
    assert page.slider(key="gen_face_n").value == 16
    captions = [c for _, c in _images(page)]
    assert "16 faces from seed 0, ψ = 1.00" in captions
    assert "Spherical interpolation of z from face A to face B" in captions
    # The GIF on the page stops after ~5 s (it would redraw the tab for ever); the downloaded one loops.
    from ui.generative import faces

    _, shown, looping = faces._interpolation(1, 2, 8, 1.0)  # the page's defaults: cached by its run
    shown, looping = Image.open(io.BytesIO(shown)), Image.open(io.BytesIO(looping))
    seconds = shown.info["duration"] / 1000 * shown.n_frames * (shown.info.get("loop", 0) + 1)  # one play x plays
    assert 0 < seconds <= faces.GIF_SECONDS and shown.info.get("loop") != 0 and looping.info["loop"] == 0
    assert shown.n_frames == looping.n_frames == 14  # 8 frames there and 6 back


def test_faces_follow_the_seed(page):
    tab(page, "Faces (GAN)")
    def face_grid() -> str:
        return next(url for url, caption in _images(page) if "faces from seed" in caption)

    first = face_grid()
    page.number_input(key="gen_face_seed").set_value(5).run()
    assert not exceptions(page)
    other = face_grid()
    page.number_input(key="gen_face_seed").set_value(0).run()
    assert other != first  # another seed draws other faces
    assert face_grid() == first  # the same seed draws exactly the same pixels again


def test_the_direction_sliders_move_the_chosen_face_and_only_it(page):
    from ui.generative import faces

    tab(page, "Faces (GAN)")
    assert not [k for k in _keys(page.slider) if k.startswith("gen_face_dir_")]  # off: no direction sliders
    page.toggle(key="gen_face_dirs_on").set_value(True).run()
    assert not exceptions(page), exceptions(page)
    assert generative.face_directions_ready()  # kept on disk for the next session
    sliders = sorted(k for k in _keys(page.slider) if k.startswith("gen_face_dir_"))
    assert len(sliders) == len(faces._directions()) >= 2

    def pair() -> dict[str, str]:
        return {caption: url for url, caption in _images(page) if caption in ("original", "moved")}

    before = pair()
    page.slider(key=sliders[0]).set_value(2.0).run()
    assert not exceptions(page)
    after = pair()
    assert after["original"] == before["original"] and after["moved"] != before["moved"]
    page.slider(key=sliders[0]).set_value(0.0).run()
    assert pair()["moved"] == before["moved"]  # back to no move: the same pixels
    page.toggle(key="gen_face_dirs_on").set_value(False).run()


def test_diffusion_samples_and_judges(page, sections):
    tab(page, "Diffusion on digits")
    assert page.radio(key="gen_diff_model").value == "saved model (trained on this machine)"
    # No model of this session's and no digits yet: both settings sections redraw alone.
    assert _alone_in(page, sections) == [("_own_settings", False), ("_sample_settings", False)]
    page.slider(key="gen_diff_n").set_value(4)
    page.slider(key="gen_diff_steps").set_value(5)
    page.button(key="gen_diff_sample").click().run()
    assert not exceptions(page)
    metrics = {m.label: m.value for m in page.metric}
    assert 0 <= int(metrics["Recognised as the digit asked for"].rstrip("%")) <= 100
    assert 0 <= int(metrics["Distinct digits recognised"]) <= 4
    generated = [url for url, caption in _images(page) if caption == "Generated digits"]
    page.button(key="gen_diff_sample").click().run()  # same seed, same settings: the same digits
    assert [url for url, caption in _images(page) if caption == "Generated digits"] == generated
    assert any(c.value.startswith("Asked → classifier: 0→") for c in page.caption)
    # Generated digits are shown; they are of the settings they were made with: the settings still redraw alone.
    assert _alone_in(page, sections) == [("_own_settings", False), ("_sample_settings", False)]


def test_text_to_image_offline_shows_a_message_not_a_traceback(page):
    tab(page, "Text-to-image (online)")
    page.button(key="gen_t2i_load").click().run()
    assert not exceptions(page)
    assert any("offline" in w.value for w in page.warning)
    page.run()  # a later rerun repeats the message without trying the network again
    assert any("offline" in w.value for w in page.warning)


def test_vae_trains_then_its_stop_button_goes_and_the_explorer_follows_the_sliders(page, sections):
    tab(page, "VAE latent space")
    assert _alone_in(page, sections) == [("_settings", False)]  # nothing trained: the settings redraw alone
    page.slider(key="gen_vae_epochs").set_value(5)
    page.button(key="gen_vae_train").click().run()
    assert not exceptions(page)
    assert _alone_in(page, sections) == [("_settings", False)]  # the trained VAE's results do not read them
    assert "stop::gen_vae" not in _keys(page.button)  # training is over: no Stop button left behind
    assert any("Test reconstruction loss" in c.value for c in page.caption)
    decoded = {s["name"]: s["data"] for s in echarts_spec(page, "gen_vae_map")["series"]}["decoded"]
    page.slider(key="gen_vae_z1").set_value(1.5).run()
    assert not exceptions(page)
    # One chart (ECharts): the test digits' codes by digit, the chosen point where the sliders put it, and
    # beside them the digit the decoder makes of that point, 8x8 pixels as [column, row from the bottom, ink].
    spec = echarts_spec(page, "gen_vae_map")
    assert spec["title"]["text"] == "decoder(z₁=1.5, z₂=0.0)"
    series = {s["name"]: s["data"] for s in spec["series"]}
    assert list(series) == [*map(str, range(10)), "you", "decoded"] and series["you"] == [[1.5, 0.0]]
    assert sum(len(series[str(d)]) for d in range(10)) > 100
    model = page.session_state["training::gen_vae"].model
    expected = generative.decode_latents(model.eval(), np.array([[1.5, 0.0]], np.float32))[0]
    assert len(series["decoded"]) == 64 and series["decoded"] != decoded
    assert {(x, y): v for x, y, v in series["decoded"]} == pytest.approx(
        {(x, 7 - r): float(expected[r, x]) for r in range(8) for x in range(8)}, abs=1e-3)


def test_the_page_and_the_cli_train_the_same_vae(page):
    tab(page, "VAE latent space")
    page.slider(key="gen_vae_epochs").set_value(5)
    page.slider(key="gen_vae_latent").set_value(2)
    page.button(key="gen_vae_train").click().run()
    assert not exceptions(page)
    done = run_cli("train-vae", "--epochs", "5", "--latent", "2", "--seed", "0", "--json")
    assert done.returncode == 0, done.stderr
    runs = tracking.client().search_runs(
        [tracking.client().get_experiment_by_name("generative/vae-digits").experiment_id],
        order_by=["attributes.start_time DESC"], max_results=20)
    app = next(r for r in runs if r.data.tags["dlx.source"] == "app")
    cli = next(r for r in runs if r.data.tags["dlx.source"] == "cli")
    assert app.data.params == cli.data.params
    finals = {k: v for k, v in app.data.metrics.items() if k.startswith("final_")}
    assert finals == {k: v for k, v in cli.data.metrics.items() if k.startswith("final_")} and finals
    assert round(finals["final_test_reconstruction_loss"], 4) == json.loads(done.stdout)["test_reconstruction_loss"]


def test_gan_lab_settings_redraw_alone_until_a_change_of_data_needs_the_tab(page, monkeypatch):
    """What a fragment rerun of the settings would find: "Real data" switched to or from an upload
    changes what is drawn below (uploader, Train button), so only that reruns the whole tab; a replay
    (the next test trains) is of the settings it was trained with, so it changes nothing of that."""
    import streamlit as st

    from ui import fragments

    real, found = fragments.alone, []

    def probe(draw, shown_below):  # shown_below() as a fragment rerun that chose each "Real data" finds it
        now = st.session_state.get("gen_gan_shape", generative.SHAPES[0])
        choices = {}
        for choice in [*generative.SHAPES, "upload a CSV"]:
            st.session_state["gen_gan_shape"] = choice
            choices[choice] = shown_below()
        st.session_state["gen_gan_shape"] = now
        found.append((now, choices))
        return real(draw, shown_below)

    monkeypatch.setattr(fragments, "alone", probe)
    tab(page, "GAN lab (2-D)")
    first = generative.SHAPES[0]
    assert found[-1] == (first, {**dict.fromkeys(generative.SHAPES, False), "upload a CSV": True})
    page.selectbox(key="gen_gan_shape").set_value("upload a CSV").run()
    assert not exceptions(page)
    assert found[-1] == ("upload a CSV", {**dict.fromkeys(generative.SHAPES, True), "upload a CSV": False})
    page.selectbox(key="gen_gan_shape").set_value(first).run()
    assert page.selectbox(key="gen_gan_shape").value == first and "gen_gan_train" in _keys(page.button)


def test_gan_lab_bad_upload_gets_an_error_then_a_good_one_trains_and_replays_at_once(page, sections):
    tab(page, "GAN lab (2-D)")
    page.selectbox(key="gen_gan_shape").set_value("upload a CSV").run()
    page.file_uploader(key="gen_gan_csv").set_value(("pts.csv", b"a,b,c\n1,2,3\n", "text/csv")).run()
    assert not exceptions(page)
    assert any("exactly 2 numeric columns" in e.value for e in page.error)
    good = "x,y\n" + "\n".join(f"{i % 10},{(i * 3) % 11}" for i in range(60))
    page.file_uploader(key="gen_gan_csv").set_value(("pts.csv", good.encode(), "text/csv")).run()
    assert not page.error
    page.slider(key="gen_gan_epochs").set_value(2)
    page.button(key="gen_gan_train").click().run()
    assert not exceptions(page)
    assert len(page.session_state["gen_gan_run"].snapshots) == 2
    # In the same run that trained: the Stop button is gone and the replay slider is already there.
    assert "gen_gan_stop" not in _keys(page.button)
    assert page.slider(key="gen_gan_show").value == 2
    page.slider(key="gen_gan_show").set_value(1).run()
    assert not exceptions(page)
    # Epoch 1's chart: its title, its generated points over D's surface, and the losses of epoch 1 only.
    replay, spec = page.session_state["gen_gan_run"], echarts_spec(page, "gen_gan_fig")
    assert spec["title"][0]["text"].startswith("Epoch 1: real vs generated")
    series = {s["name"]: s["data"] for s in spec["series"]}
    assert np.allclose(series["generated"], replay.snapshots[0].generated, atol=1e-3)
    # D's surface: an image of the measured grid, top row = the highest y; D's surest "real" point is the
    # bluest pixel, its surest "fake" one the reddest.
    surface, n = replay.snapshots[0].surface, generative.SURFACE_GRID
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(
        spec["graphic"][0]["style"]["image"].removeprefix("data:image/png;base64,")))).convert("RGB"), dtype=int)
    assert pixels.shape == (n, n, 3)
    hi, lo = np.unravel_index(surface.argmax(), surface.shape), np.unravel_index(surface.argmin(), surface.shape)
    blue, red = pixels[n - 1 - hi[0], hi[1]], pixels[n - 1 - lo[0], lo[1]]
    assert blue[2] - blue[0] > red[2] - red[0]
    assert series["D loss"] == [[1, pytest.approx(replay.snapshots[0].d_loss, abs=1e-4)]]
    assert _alone_in(page, sections) == [("_settings", False)]  # a replay is of its own settings: still alone
    page.slider(key="gen_gan_epochs").set_value(3)
    page.button(key="gen_gan_train").click().run()  # a new run's replay starts at its own last epoch
    assert not exceptions(page)
    assert page.slider(key="gen_gan_show").value == 3 and page.slider(key="gen_gan_show").max == 3


def test_each_tab_keeps_its_settings_while_another_is_open(page):
    from tests.ui.helpers import assert_each_tab_keeps_its_settings

    tab(page, "Faces (GAN)").slider(key="gen_face_n").set_value(9).run()  # one changed setting, checked by name below
    # (Text-to-image draws its settings once a hub model is loaded: none offline.)
    assert_each_tab_keeps_its_settings(page, "generative_tab", ["Faces (GAN)", "Diffusion on digits",
                                                                "VAE latent space", "GAN lab (2-D)"])
    assert page.session_state["gen_face_n"] == 9
