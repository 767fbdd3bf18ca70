"""AppTest of the generative page: every tab renders, faces appear, the labs train, bad uploads explain."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import exceptions, open_page

PAGE = "pages/generative.py"


@pytest.fixture(scope="module")
def tiny_saved_diffusion():
    """A 1-epoch model saved as the app's diffusion-digits, so the sampling UI is reachable."""
    from dl_core import generative_diffusion as gd

    model, _, _ = gd.train_diffusion(gd.DiffusionConfig(epochs=1, limit=64, channels=(8, 16), timesteps=50),
                                     device=torch.device("cpu"))
    gd.save_model(model)
    return model


@pytest.fixture(scope="module")
def page(tiny_saved_diffusion):
    at = open_page(PAGE)
    assert not exceptions(at)
    return at


def test_page_renders_all_tabs_and_faces(page):
    assert [t.label for t in page.tabs][:5] == ["Faces (GAN)", "Diffusion on digits", "Text-to-image (online)",
                                                "VAE latent space", "GAN lab (2-D)"]
    for key in ("gen_face_seed", "gen_interp_a", "gen_interp_b"):
        assert page.number_input(key=key) is not None
    assert page.slider(key="gen_face_n").value == 16
    assert len(page.get("image")) >= 2  # the face grid and the interpolation strip


def test_faces_follow_the_seed(page):
    page.number_input(key="gen_face_seed").set_value(5).run()
    assert not exceptions(page)
    captions = [c for image in page.get("image") for c in image.captions]
    assert any("16 faces from seed 5" in c for c in captions)


def test_diffusion_samples_and_judges(page):
    page.radio(key="gen_diff_model")  # the saved (tiny) model is offered
    page.slider(key="gen_diff_n").set_value(4)
    page.slider(key="gen_diff_steps").set_value(5)
    page.button(key="gen_diff_sample").click().run()
    assert not exceptions(page)
    labels = [m.label for m in page.metric]
    assert "Recognised as the digit asked for" in labels and "Distinct digits recognised" in labels


def test_text_to_image_offline_shows_a_message_not_a_traceback(page):
    page.button(key="gen_t2i_load").click().run()
    assert not exceptions(page)
    assert any("offline" in w.value for w in page.warning)
    page.run()  # a later rerun repeats the message without trying the network again
    assert any("offline" in w.value for w in page.warning)


def test_vae_trains_and_shows_its_latent_space(page):
    page.slider(key="gen_vae_epochs").set_value(5)
    page.button(key="gen_vae_train").click().run()
    assert not exceptions(page)
    assert page.slider(key="gen_vae_z1") is not None
    assert any("Test reconstruction loss" in c.value for c in page.caption)


def test_gan_lab_bad_upload_gets_an_error_then_a_good_one_trains(page):
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
    assert "gen_gan_run" in page.session_state and len(page.session_state["gen_gan_run"].snapshots) == 2
