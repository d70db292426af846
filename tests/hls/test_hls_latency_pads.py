"""A contract latency above the kernel's pipeline depth is met by its delay lines: with L_MAC and
L_EW raised in hls/sharp_config.h alone (on a copy of hls/), the C simulation of both cells stays
bit-exact and its counters equal the cycle model computed with the raised latencies."""
from __future__ import annotations

import shutil

import numpy as np
from hls_builds import WIDE_EW2

from sharp import cycle_model, hls_csim
from sharp.cycle_model import OVERLAPPED, SEQUENTIAL
from sharp.hls_csim import LayerCase

MAC_LINE = "static constexpr unsigned mac = 4 + CONFIG_T::log2_macs;  // L_MAC"
EW_LINE = "static constexpr unsigned ew = 12;                        // L_EW"


def test_raised_latencies_are_padded(tmp_path, monkeypatch, rng):
    hls = tmp_path / "hls"
    shutil.copytree(hls_csim.HLS_DIR, hls, ignore=shutil.ignore_patterns("sharp_prj", "*.log"))
    config_h = hls / "sharp_config.h"
    text = config_h.read_text()
    assert MAC_LINE in text and EW_LINE in text  # the one place the kernel takes them from
    config_h.write_text(text.replace(MAC_LINE, MAC_LINE.replace("4 +", "6 +"))
                        .replace(EW_LINE, EW_LINE.replace("= 12;", "= 13;")))
    for name, value in (("HLS_DIR", hls), ("KERNEL", hls / "sharp_top.cpp"),
                        ("TESTBENCH", hls / "tb" / "sharp_tb.cpp"), ("CSIM_INCLUDE", hls / "csim"),
                        ("CACHE", tmp_path / "cache")):
        monkeypatch.setattr(hls_csim, name, value)
    l_mac = cycle_model.l_mac
    monkeypatch.setattr(cycle_model, "l_mac", lambda c: l_mac(c) + 2)
    monkeypatch.setattr(cycle_model, "L_EW", 13)
    cases = []
    for input_size, hidden, steps in ((5, 7, 3), (17, 13, 4)):
        model = hls_csim.random_float_layer(rng, input_size, hidden)
        x = model.quantize_input(rng.uniform(-4, 4, (steps, input_size)))[0][0]
        cases += [LayerCase(WIDE_EW2, model, x, mode) for mode in (SEQUENTIAL, OVERLAPPED)]
    # the GRU's state is written in the h stage, after the pad: its dependence distance is the
    # smaller one; H = 9 at 1 tile per group finishes two beats in one cycle on this build
    for input_size, hidden, steps in ((6, 9, 4), (13, 10, 3)):
        model = hls_csim.random_int_layer(rng, input_size, hidden, "gru", weight_bits=10)
        x = rng.integers(-1 << 15, 1 << 15, (steps, input_size))
        cases += [LayerCase(WIDE_EW2, model, x, mode, group_x=0, group_h=0) for mode in (SEQUENTIAL, OVERLAPPED)]
    transactions = [hls_csim.tables_transaction()]
    for case in cases:
        transactions += [*case.load_transactions(), case.run_transaction()]
    result = hls_csim.run(transactions, WIDE_EW2)
    for case, outcome in zip(cases, result.outcomes[1:][2::3]):
        assert hls_csim.run_failures(case, outcome) == [], case.describe()
