"""Every notebook the package delivers runs top to bottom on the verilator backend (nbclient): a
failing cell, or a failing assertion in one, fails the test."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import sharp.notebooks

NOTEBOOKS = sorted(Path(sharp.notebooks.__file__).parent.glob("*.ipynb"))
KERNEL = "sharp-venv"


@pytest.fixture
def venv_kernel(tmp_path, monkeypatch):
    """A kernel spec that runs this interpreter (the venv's python), ahead of any other."""
    spec = tmp_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "SHARP venv", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return KERNEL


def test_the_package_delivers_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["1_getting_started.ipynb", "2_adaptiveness.ipynb",
                                        "3_streaming.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_on_verilator(path, venv_kernel):
    nb = nbformat.read(path, as_version=4)
    first = "".join(nb.cells[1].source) if nb.cells[0].cell_type == "markdown" else nb.cells[0].source
    assert first.startswith('BACKEND = "verilator"'), "the backend is chosen in one line at the top"
    client = NotebookClient(nb, kernel_name=venv_kernel, timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, when one fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert images, "the notebook draws its plots"
