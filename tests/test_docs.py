"""The documentation: the Sphinx site builds with warnings as errors, every public name has a
page, the user guide's cross-references resolve, and the README stays short and links to the
guide."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mlbalance

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PUBLIC_SUBMODULES = ("losses", "metrics", "callbacks", "keras_compile", "retrain", "keras_sampling", "io", "sklearn",
                     "torch")
BUILD_TIMEOUT_S = 300
INSTALL_HINT = 'install the docs tools: python -m pip install -e ".[test]" (or ".[docs]")'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """Build the HTML site once, from a copy of docs/ (the build writes api.rst and stubs)."""
    missing = [name for name in ("sphinx", "numpydoc", "pydata_sphinx_theme") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.fail(f"cannot build the documentation: {', '.join(missing)} not installed; {INSTALL_HINT}")
    tmp = tmp_path_factory.mktemp("docs")
    source, out = tmp / "source", tmp / "html"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns("_build", "generated", "api.rst"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    # -c: the configuration (and templates) of the checkout, the sources of the copy.
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
               "-c", str(DOCS), str(source), str(out)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT_S)
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert result.returncode == 0, "the docs build failed:\n" + "\n".join(warnings or result.stderr.splitlines()[-40:])
    return out


def _public_pages() -> dict[str, str]:
    """Public object -> the page that documents it (computed from the __all__ lists)."""
    pages = {f"mlbalance.{name}": f"generated/mlbalance.{name}.html" for name in mlbalance.__all__}
    for module_name in PUBLIC_SUBMODULES:
        module = importlib.import_module(f"mlbalance.{module_name}")
        for name in module.__all__:
            # A name exported at the top level is documented once, under mlbalance.NAME (the same object:
            # mlbalance.torch.AsymmetricLoss is not the Keras mlbalance.AsymmetricLoss and has its own page).
            if name not in mlbalance.__all__ or getattr(mlbalance, name) is not getattr(module, name):
                pages[f"mlbalance.{module_name}.{name}"] = f"generated/mlbalance.{module_name}.{name}.html"
    return pages


def test_docs_build_without_warnings(site):
    assert (site / "index.html").is_file()
    for page in ("api", "guide/label_input", "guide/stats_weights", "guide/keras", "guide/splitting",
                 "guide/thresholds_report", "guide/sklearn", "guide/sampling", "guide/torch", "guide/cli",
                 "guide/guarantees"):
        assert (site / f"{page}.html").is_file(), page


def test_every_public_name_has_a_page(site):
    api = (site / "api.html").read_text(encoding="utf-8")
    missing, unlinked = [], []
    for qualified, page in _public_pages().items():
        path = site / page
        if not path.is_file() or f'id="{qualified}"' not in path.read_text(encoding="utf-8"):
            missing.append(qualified)
        elif f'href="{page}' not in api:
            unlinked.append(qualified)
    assert not missing, f"public names without a documentation page: {missing}"
    assert not unlinked, f"pages the API reference does not link to: {unlinked}"
    for module_name in PUBLIC_SUBMODULES:
        assert f'id="module-mlbalance.{module_name}"' in api, module_name


def test_user_guide_references_resolve(site):
    # A resolved role is <a ...><code class="xref py ...">; an unresolved one is the bare <code>.
    broken = {}
    for page in [site / "index.html", *sorted((site / "guide").glob("*.html"))]:
        html = page.read_text(encoding="utf-8")
        bare = re.findall(r'(?<!">)<code class="xref py[^"]*"><span class="pre">([^<]+)', html)
        if bare:
            broken[page.name] = bare
    assert not broken, f"cross-references to names the docs do not have: {broken}"


def test_readme_is_short_and_links_to_existing_guide_pages():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250, f"README.md has {len(readme.splitlines())} lines (at most 250)"
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links, "the README links to no documentation page"
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert not missing, f"README links to missing documentation files: {missing}"
