"""examples/digits.py (`make run`): the committed model classifies, and the accelerator equals golden."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from sharp.toolchain import REPO


@pytest.mark.parametrize("backend", ["golden", "verilator"])
def test_digits_example_runs_bit_exact(backend):
    # The example must not need torch: it may not even import it.
    script = ("import sys, runpy; sys.path.insert(0, 'examples'); "
              f"sys.argv = ['digits.py', '--backend', '{backend}']\n"
              "try: runpy.run_path('examples/digits.py', run_name='__main__')\n"
              "finally: print('torch imported:', 'torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    print(r.stdout, r.stderr)
    assert r.returncode == 0
    assert "torch imported: False" in r.stdout
    assert "raw h bits identical to the golden model: True" in r.stdout
    assert "Warning" not in r.stderr
    # the plan's terms are explained where they are printed
    assert "docs/ARCHITECTURE.md §4" in r.stdout and "docs/ARCHITECTURE.md §9" in r.stdout
    # it ends with one plain verdict: the three accuracies and bit-exactness
    output = r.stdout.replace("torch imported: False", "").strip().splitlines()
    verdict = re.fullmatch(r"result: accuracy float ([\d.]+)%, golden fixed-point ([\d.]+)%, "
                           rf"accelerator \({backend}\) ([\d.]+)%; accelerator bit-exact with the "
                           r"golden model: yes", output[-1])
    assert verdict, output[-1]
    float_acc, golden_acc, accel_acc = map(float, verdict.groups())
    assert float_acc >= 95 and abs(golden_acc - float_acc) <= 1
    assert accel_acc == golden_acc
