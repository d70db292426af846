"""`make lint`'s check, in the suite: verilator --lint-only -Wall finds nothing in rtl/ for any
of its builds (the waivers, each with its reason, are rtl/lint_waivers.vlt)."""
from __future__ import annotations

import pytest

from sharp.sim.lint import BUILDS, WEIGHT_URAM_TILES, lint


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_rtl_lints_clean(name):
    result = lint(BUILDS[name], WEIGHT_URAM_TILES.get(name, 0))
    messages = [line for line in (result.stdout + result.stderr).splitlines() if "%" in line]
    assert result.returncode == 0 and not messages, "\n".join(messages[:20])
