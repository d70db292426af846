"""The wheel a PYNQ user installs: it carries the notebooks, their data and the pynq.notebooks
entry point, and installed in a clean venv (no torch, no pynq) `import sharp` works and the
self-test passes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from sharp.toolchain import REPO

# A PYNQ 3.x image's Python and numpy (docs/BOARD_QUICKSTART.md), and what pytest needs there
# beyond requirements.txt's pins, which are those of the 3.11 development environment.
BOARD_PYTHON = "3.10"
BOARD_NUMPY = "numpy==1.26.4"
PYTEST_ON_310 = ("tomli==2.5.0", "exceptiongroup==1.3.2", "typing_extensions==4.16.0")


def pinned(*names: str) -> list[str]:
    pins = dict(line.split("==") for line in (REPO / "requirements.txt").read_text().split())
    return [f"{n}=={pins[n]}" for n in names]


def run(*cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))}\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Build from a copy: setuptools writes build/ and *.egg-info next to the sources.
    tmp_path = tmp_path_factory.mktemp("wheel")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPO / "pyproject.toml", src)
    shutil.copy(REPO / "README.md", src)
    shutil.copytree(REPO / "host", src / "host",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
        "-w", tmp_path / "dist", src)
    (built,) = (tmp_path / "dist").glob("sharp_fpga-*.whl")
    return built


def board_python() -> str | None:
    """A Python of the PYNQ images' version on this machine: on PATH, or installed by pyenv."""
    found = shutil.which(f"python{BOARD_PYTHON}")
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = sorted(pyenv.glob(f"{BOARD_PYTHON}.*/bin/python{BOARD_PYTHON}"))
    for exe in [found, *map(str, candidates)]:
        if exe and subprocess.run([exe, "--version"], capture_output=True).returncode == 0:
            return exe
    return None


def test_the_wheel_installs_and_delivers_the_notebooks(wheel, tmp_path):
    names = zipfile.ZipFile(wheel).namelist()
    for want in ("sharp/notebooks/1_getting_started.ipynb", "sharp/notebooks/2_adaptiveness.ipynb",
                 "sharp/notebooks/data/digits_lstm.npz", "sharp/notebooks/data/digits_data.npz",
                 "sharp/tests/test_selftest.py", "sharp/overlays/__init__.py"):
        assert want in names, want
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "[pynq.notebooks]\nsharp-fpga = sharp.notebooks" in \
        zipfile.ZipFile(wheel).read(entry_points).decode()

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    py = venv / "bin" / "python"
    run(py, "-m", "pip", "install", "-q", "--no-deps", wheel,
        *pinned("numpy", "tqdm", "pytest", "iniconfig", "packaging", "pluggy", "Pygments"))
    check = textwrap.dedent("""
        import importlib.metadata, importlib.util, sys
        (ep,) = [e for e in importlib.metadata.entry_points(group="pynq.notebooks")
                 if e.name == "sharp-fpga"]
        import sharp, sharp.notebooks
        assert ep.value == "sharp.notebooks"
        assert importlib.util.find_spec("pynq") is None and "torch" not in sys.modules
        try:
            sharp.Accelerator("pynq")
        except RuntimeError as exc:
            print("pynq backend:", exc)
        print(sharp.__file__)
    """)
    out = run(py, "-c", check, cwd=tmp_path)
    assert "pip install 'sharp-fpga[board]'" in out
    assert str(venv) in out  # the installed copy, not the repository's
    # the command line, with no repository around it
    assert "adaptive" in run(venv / "bin" / "sharp", "plan", "--input", 8, "--hidden", 8,
                             cwd=tmp_path)
    # the board table travels with the package: a board's build by name
    assert "8x16-i128-h128-w1024-b256" in run(venv / "bin" / "sharp", "plan", "--board",
                                              "pynq-z2", "--input", 8, "--hidden", 8,
                                              cwd=tmp_path)
    r = subprocess.run([venv / "bin" / "sharp", "info", "--backend", "pynq"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "pip install 'sharp-fpga[board]'" in r.stderr, r.stderr
    # the self-test, as a user runs it: from anywhere, on the installed package
    out = run(py, "-m", "pytest", "--pyargs", "sharp", "-q", "-p", "no:cacheprovider",
              cwd=tmp_path)
    assert "3 passed, 1 skipped" in out


def test_the_wheel_installs_on_a_pynq_image_python(wheel, tmp_path):
    """PYNQ 3.x images run Python 3.10 with numpy 1.26: pip installs the wheel there as it is
    (no --ignore-requires-python) and the self-test passes."""
    python = board_python()
    if python is None:
        pytest.skip(f"no Python {BOARD_PYTHON} on this machine (PATH or pyenv) to stand in for "
                    "a PYNQ image's")
    venv = tmp_path / "venv310"
    run(python, "-m", "venv", venv)
    py = venv / "bin" / "python"
    run(py, "-m", "pip", "install", "-q", "--no-deps", wheel, BOARD_NUMPY, *PYTEST_ON_310,
        *pinned("tqdm", "pytest", "iniconfig", "packaging", "pluggy", "Pygments"))
    assert run(py, "-c", "import sys, numpy; print(sys.version_info[:2], numpy.__version__)"
               ).split() == ["(3,", "10)", BOARD_NUMPY.split("==")[1]]
    out = run(py, "-m", "pytest", "--pyargs", "sharp", "-q", "-p", "no:cacheprovider",
              cwd=tmp_path)
    assert "3 passed, 1 skipped" in out
