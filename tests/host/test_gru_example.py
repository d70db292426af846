"""examples/gru_membrane.py: the committed GRU forecasts held-out data better than the naive
forecast, and the accelerator equals golden."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from sharp.toolchain import REPO


@pytest.mark.parametrize("backend", ["golden", "verilator"])
def test_gru_example_runs_bit_exact_and_beats_the_naive_forecast(backend):
    # The example must not need torch: it may not even import it.
    script = ("import sys, runpy; sys.path.insert(0, 'examples'); "
              f"sys.argv = ['gru_membrane.py', '--backend', '{backend}']\n"
              "try: runpy.run_path('examples/gru_membrane.py', run_name='__main__')\n"
              "finally: print('torch imported:', 'torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    print(r.stdout, r.stderr)
    assert r.returncode == 0
    assert "torch imported: False" in r.stdout
    assert "raw h bits identical to the golden model: True" in r.stdout
    assert "Warning" not in r.stderr
    assert "(GRU 1->16)" in r.stdout and "docs/ARCHITECTURE.md §9" in r.stdout
    output = r.stdout.replace("torch imported: False", "").strip().splitlines()
    verdict = re.fullmatch(r"result: forecast RMSE \(standard deviations of the signal\) float "
                           r"([\d.]+), golden fixed-point ([\d.]+), accelerator "
                           rf"\({backend}\) ([\d.]+); naive last-sample forecast ([\d.]+); "
                           r"accelerator bit-exact with the golden model: yes", output[-1])
    assert verdict, output[-1]
    float_rmse, golden_rmse, accel_rmse, naive_rmse = map(float, verdict.groups())
    assert float_rmse <= 0.6 * naive_rmse  # the GRU learned the ramp before each spike
    assert abs(golden_rmse - float_rmse) <= 0.01
    assert accel_rmse == golden_rmse
