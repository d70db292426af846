"""backend="hls": sharp.Accelerator and the CLI on the HLS C simulation, bit-exact with golden."""
from __future__ import annotations

import json

import numpy as np

import sharp
from sharp import cli

# tests/hls/hls_builds.py's SMALL build: the same sizes hit the same cached g++ build.
CONFIG = sharp.HardwareConfig(tiles=2, lanes=4, max_input=32, max_hidden=32, weight_depth=2048,
                              bias_depth=64)


def test_hls_backend_is_bit_exact_with_golden_on_a_stacked_model(rng, seed):
    q = sharp.LSTM.random(7, 9, num_layers=2, seed=seed).quantize(rng.uniform(-2, 2, (4, 5, 7)))
    x = rng.uniform(-3, 3, (3, 5, 7))
    outputs, stats = {}, {}
    for backend in ("hls", "golden"):
        acc = sharp.Accelerator(backend, CONFIG, progress=False)
        assert acc.backend == backend and acc.config == CONFIG  # INFO read from the kernel
        acc.load(q)
        outputs[backend], stats[backend] = acc.run(x, raw=True), acc.stats
    np.testing.assert_array_equal(outputs["hls"], outputs["golden"])
    np.testing.assert_array_equal(outputs["hls"], q.run_int(q.quantize_input(x)[0]))
    assert outputs["hls"].shape == (3, 5, 9)
    assert stats["hls"].runs == stats["golden"].runs == 2   # one RUN of the three per layer
    assert stats["hls"].active_lane_cycles == stats["golden"].active_lane_cycles > 0


def test_cli_info_on_the_hls_backend(capsys):
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in CONFIG.as_dict().items()
             if k in cli.CONFIG_FLAGS]
    assert cli.main(["info", "--backend", "hls", "--json", *flags]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["backend"] == "hls" and r["config"] == CONFIG.as_dict()
