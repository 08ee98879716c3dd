"""PerLabelReport writes one report per epoch, in the format its file name asks for."""

import json
import os

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlbalance._files import OutputPathError  # noqa: E402
from mlbalance.callbacks import PerLabelReport  # noqa: E402
from mlbalance.report import evaluation_report  # noqa: E402


@pytest.mark.parametrize("ext", ["html", "md", "json"])
def test_report_file_per_epoch_in_the_format_of_its_extension(tmp_path, ext):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, :3] > 0).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile("adam", "binary_crossentropy")
    callback = PerLabelReport((x, y), path=str(tmp_path / f"epoch_{{epoch}}.{ext}"), from_logits=True, verbose=False)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[callback])
    assert len(callback.reports) == 2
    text = (tmp_path / f"epoch_2.{ext}").read_text()
    if ext == "json":
        assert json.loads(text)["name"] == "epoch 2"
    else:
        assert text.startswith("<!DOCTYPE html>" if ext == "html" else "# Evaluation report: epoch 2")
    # Logits are turned into probabilities before the report: same figures as a report on sigmoid scores.
    logits = np.asarray(model.predict(x, verbose=0), dtype=np.float64)
    expected = evaluation_report(y, 1.0 / (1.0 + np.exp(-logits)), 0.5, name="epoch 2")
    assert callback.reports[-1].overall == expected.overall


def test_rejects_a_file_name_it_cannot_write(tmp_path):
    data = (np.zeros((2, 1)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"path to end in .html, .md or .json. Received: path='r.txt'"):
        PerLabelReport(data, path="r.txt")
    # A missing directory used to be found only after the first epoch had been trained.
    missing = tmp_path / "no" / "such" / "dir" / "r_{epoch}.html"
    with pytest.raises(OutputPathError, match="does not exist"):
        PerLabelReport(data, path=missing)
    with pytest.raises(OutputPathError, match="is a directory"):
        (tmp_path / "r.md").mkdir()
        PerLabelReport(data, path=tmp_path / "r.md")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root can write anywhere
            with pytest.raises(OutputPathError, match="not writable"):
                PerLabelReport(data, path=locked / "r.json")
    finally:
        locked.chmod(0o700)
    assert PerLabelReport(data, path=tmp_path / "ok_{epoch}.MD").path.endswith("ok_{epoch}.MD")


def test_arguments_are_checked_at_construction():
    data = (np.zeros((2, 1)), np.zeros((2, 1)))
    for kwargs, match in [({"every": 0}, "every=0"), ({"batch_size": 2.5}, "batch_size=2.5"),
                          ({"from_logits": "yes"}, "from_logits='yes'"), ({"verbose": None}, "verbose=None")]:
        with pytest.raises(ValueError, match=match):
            PerLabelReport(data, **kwargs)
