"""The cocotb suite (tb_sharp_top.py) over two builds and both schedules."""
from __future__ import annotations

import pytest

from cocotb_run import run_cocotb
from rtl_builds import BUILDS


@pytest.mark.parametrize("mode", [0, 1], ids=["sequential", "overlapped"])
@pytest.mark.parametrize("build", sorted(BUILDS))
def test_sharp_top(build, mode, seed):
    run_cocotb("tb_sharp_top", BUILDS[build], mode, seed)
