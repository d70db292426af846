"""The README's Python example runs as written (on the Verilator-simulated accelerator)."""
from __future__ import annotations

import os
import re

from sharp.toolchain import REPO


def test_readme_python_example_runs(capsys):
    text = (REPO / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    cycles, utilization = capsys.readouterr().out.split()
    assert int(cycles) > 0 and 0 < float(utilization.rstrip("%")) <= 100
