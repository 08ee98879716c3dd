"""The HTML report opens in a real (headless) browser and shows every label.

Needs Chromium (Debian package ``chromium``; ``.ci/run`` installs it). Outside CI the test
skips when no browser is installed; in CI (``CI=true``) a missing browser is a failure.
"""

import os
import shutil
import subprocess

import numpy as np
import pytest

import mlbalance

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI"):
        pytest.fail("no headless browser found; .ci/run installs Debian's chromium package")
    pytest.skip("no headless browser (install Debian's chromium package)")


def headless(browser, *args, profile):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_report_renders_in_headless_chromium(tmp_path):
    browser = find_browser()
    rng = np.random.default_rng(0)
    names = [f"label-{chr(97 + j)}" for j in range(12)]
    y = (rng.random((400, 12)) < np.linspace(0.02, 0.4, 12)).astype(int)
    scores = np.clip(0.4 * y + rng.random(y.shape) * 0.6, 0, 1)
    page = tmp_path / "report.html"
    mlbalance.evaluation_report(y, scores, "tune", label_names=names, name="browser check").to_html(page)
    result = headless(browser, "--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "Evaluation report: browser check" in dom
    for name in names:
        assert f">{name}<" in dom, name  # every label is rendered (tables and plot labels)
    assert dom.count("<svg") >= 3
    shot = tmp_path / "report.png"  # the screenshot stays in tmp_path, out of the repo
    result = headless(browser, f"--screenshot={shot}", "--window-size=1000,1400", page.as_uri(),
                      profile=tmp_path / "profile2")
    assert result.returncode == 0 and shot.exists() and shot.stat().st_size > 10_000
