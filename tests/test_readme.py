"""The README's Python example runs as written (on the Verilator-simulated accelerator), and what
it states (the Python minimum, the shape run() returns) is true."""
from __future__ import annotations

import importlib.metadata
import os
import re
import subprocess
import tomllib
import warnings

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from sharp.toolchain import REPO

README = (REPO / "README.md").read_text()


def stated_minimum() -> str:
    (version,) = re.findall(r"you need Python (\d+\.\d+)\s+or newer", README)
    return version


def test_readme_python_example_runs(capsys):
    (code,) = re.findall(r"```python\n(.*?)```", README, re.S)
    cwd = os.getcwd()
    os.chdir(REPO)
    namespace = {}
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    cycles, utilization = capsys.readouterr().out.split()
    assert int(cycles) > 0 and 0 < float(utilization.rstrip("%")) <= 100
    # the comment on run() states the shape it returns
    (comment,) = re.findall(r"^h = acc\.run\(x\)\s+# (.*)$", code, re.M)
    assert comment.startswith("(B, T, H·dirs) floats")
    x, model, h = namespace["x"], namespace["model"], namespace["h"]
    assert h.shape == (*x.shape[:2], model.hidden_size * namespace["q"].num_directions)


def test_the_python_minimum_is_stated_once_everywhere():
    """Two minimums: the development environment's (README, Makefile) and the installed package's
    (pyproject, the board quickstart), which is the PYNQ images' Python and may be older."""
    minimum = stated_minimum()
    assert re.search(rf"^MIN_PYTHON := {re.escape(minimum)}$", (REPO / "Makefile").read_text(), re.M)
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    (package_minimum,) = re.findall(r"^>=(\d+\.\d+)$", declared)
    quickstart = (REPO / "docs" / "BOARD_QUICKSTART.md").read_text()
    assert f"The package declares Python {package_minimum} or newer" in quickstart
    assert Version(package_minimum) <= Version(minimum)


def test_the_pins_install_on_the_stated_minimum_and_need_it():
    """Every pinned package supports the stated minimum, and at least one refuses the Python before
    it: the minimum is the real one. (Read from the installed packages' own metadata.)"""
    minimum = Version(stated_minimum())
    previous = Version(f"{minimum.major}.{minimum.minor - 1}")
    needs = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        name, _, pinned = line.split("#")[0].strip().partition("==")
        if not name:
            continue
        dist = importlib.metadata.distribution(name)
        assert Version(dist.version).public == Version(pinned).public, \
            f"{name} {dist.version} is installed, {pinned} pinned"
        needs[name] = SpecifierSet(dist.metadata.get("Requires-Python") or "")
    refuse = [n for n, spec in needs.items() if not spec.contains(minimum)]
    assert not refuse, f"these pins need a newer Python than {minimum}: {refuse}"
    assert any(not spec.contains(previous) for spec in needs.values()), \
        f"every pin installs on Python {previous}: the stated minimum {minimum} is too high"


def test_make_stops_with_a_message_on_an_older_python(tmp_path):
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\n"
                   "case \"$1\" in --version) echo 'Python 3.10.12';; *) exit 1;; esac\n")
    old.chmod(0o755)
    venv = tmp_path / "venv"
    r = subprocess.run(["make", "-C", str(REPO), "venv", f"PYTHON3={old}", f"VENV={venv}"],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert f"needs Python {stated_minimum()} or newer" in r.stdout and "Python 3.10.12" in r.stdout
    assert not venv.exists()


def test_pyproject_license_is_an_spdx_string_without_deprecation_warnings():
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dist = apply_configuration(Distribution(), REPO / "pyproject.toml")
    assert [str(w.message) for w in caught] == []
    assert dist.metadata.license_expression == "Apache-2.0"
