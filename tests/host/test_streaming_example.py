"""examples/streaming.py: the membrane GRU streamed frame by frame equals one call over the whole
stretch bit for bit, prints the per-frame cost, and forecasts better than the naive forecast."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from sharp.toolchain import REPO


@pytest.mark.parametrize("backend", ["golden", "verilator"])
def test_streaming_example_is_bit_identical_to_one_call(backend):
    script = ("import sys, runpy; sys.path.insert(0, 'examples'); "
              f"sys.argv = ['streaming.py', '--backend', '{backend}', '--frames', '120']\n"
              "try: runpy.run_path('examples/streaming.py', run_name='__main__')\n"
              "finally: print('torch imported:', 'torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    print(r.stdout, r.stderr)
    assert r.returncode == 0
    assert "torch imported: False" in r.stdout
    assert "Warning" not in r.stderr
    cost = re.search(r"per frame: (\d+) busy cycles .*, (\d+) stream beats in and out \(the "
                     r"state's 4 of them\); projected latency ([\d.]+) us at pynq-z2's 100 MHz",
                     r.stdout)
    assert cost, r.stdout
    cycles, beats, latency = int(cost[1]), int(cost[2]), float(cost[3])
    assert beats == 4 + 1 + 4  # h0 in, one frame of one feature, h out (GRU: no trailer)
    assert latency == pytest.approx(cycles / 100, abs=0.005)
    verdict = re.search(r"result: streamed h bit-identical to one call over the whole stretch, "
                        r"final state included: yes; forecast RMSE 8 samples ahead ([\d.]+), "
                        r"naive last-sample forecast ([\d.]+)", r.stdout)
    assert verdict, r.stdout
    assert float(verdict[1]) < float(verdict[2])
