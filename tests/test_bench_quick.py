"""`make bench QUICK=1`: the output schema and bit-exactness (not the speed figures)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import sharp
from sharp.toolchain import REPO

sys.path.insert(0, str(REPO / "bench"))
from report import BATCH1_KEYS, REQUIRED_KEYS  # noqa: E402
from shapes import BUILDS, QUICK_BOARDS, runs  # noqa: E402

from sharp.boards import boards  # noqa: E402


def test_quick_bench_writes_schema_and_is_bit_exact(tmp_path, seed):
    result = subprocess.run([sys.executable, str(REPO / "bench" / "run_bench.py"), "--quick",
                             "--out", str(tmp_path), "--seed", str(seed)],
                            capture_output=True, text=True, timeout=1200)
    print(result.stdout[-3000:], result.stderr[-3000:])
    assert result.returncode == 0
    records = json.loads((tmp_path / "results.json").read_text())
    expected = [(run.build, run.cell, run.shape, run.layers, run.batch)
                for run in runs(quick=True)]
    assert [(r["build"], r["cell"], (r["input"], r["hidden"], r["steps"]), r["layers"],
             r["batch"]) for r in records] == expected
    assert {r["batch"] for r in records} == {1, sharp.HardwareConfig().max_batch}
    assert {r["cell"] for r in records} == {"lstm", "gru"}
    # reference builds are named with their capacities (HardwareConfig.name), never by the
    # array alone; board rows by their name in overlay/boards.csv, with their own build
    reference = [r for r in records if not r["board"]]
    assert {r["build"] for r in reference} <= {c.name for c in BUILDS.values()}
    assert sharp.HardwareConfig().name in {r["build"] for r in reference}
    on_boards = [r for r in records if r["board"]]
    assert {r["build"] for r in on_boards} == set(QUICK_BOARDS)
    for r in on_boards:
        row = boards()[r["build"]]
        assert (r["config"], r["clock_mhz"]) == (row.config.name, row.clock_mhz)
        # a layer holds at least rows * (I + H) / P words, whatever its grouping
        gates = {"lstm": 4, "gru": 3}[r["cell"]]
        least = sum(-(-gates * r["hidden"] * (size + r["hidden"]) // row.config.macs)
                    for size in [r["input"]] + [r["hidden"]] * (r["layers"] - 1))
        if r["layers"] == 1 or least > row.config.weight_depth:
            assert r["resident"] == (r["layers"] == 1)
        if r["resident"]:
            assert r["reload_bytes_per_batch"] == 0
        else:  # every layer's weights, once a batch: at least their bytes
            assert r["reload_bytes_per_batch"] >= least * row.config.macs * 2
    assert any(not r["resident"] for r in on_boards)  # the quick stack does not fit pynq-z2
    for r in records:
        batch1 = BATCH1_KEYS if r["batch"] == 1 and not r["board"] else ()
        missing = [k for k in REQUIRED_KEYS + batch1 if k not in r]
        assert not missing, missing
        assert r["model_cycles"] == r["cycles"]   # the cycle model is exact at every batch
        assert (r["tiles_per_group_x"], r["tiles_per_group_h"]) == (1 << r["group_x"], 1 << r["group_h"])
        assert r["bit_exact"] is True
        assert 0 < r["utilization"] <= r["padding_limit"] + 1e-9
        assert r["seed"] == seed
    text = (tmp_path / "results.md").read_text()
    assert "projections from simulated cycles" in text and "## Targets" in text
    # batching divides the host's work per sequence by the batch (one RUN of B sequences)
    for one in (r for r in records if r["batch"] == 1):
        batched = next(r for r in records if r["batch"] > 1 and
                       (r["build"], r["cell"], r["input"], r["hidden"], r["steps"], r["layers"]) ==
                       (one["build"], one["cell"], one["input"], one["hidden"], one["steps"],
                        one["layers"]))
        for key in ("host_transfers_per_sequence", "host_register_accesses_per_sequence"):
            assert batched[key] * batched["batch"] == pytest.approx(one[key])
    assert "## Boards" in text and "### Suite shapes a board cannot run" not in text
    for png in ("utilization.png", "latency.png", "utilization_batch.png", "board_latency.png",
                "board_throughput.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
