"""`sharp plan` and `sharp info`: one vocabulary for grouping (tiles per group m, registers
group_x/group_h = log2 m), and build names that tell two builds of one array apart."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

import sharp
from sharp import cli, dispatcher
from sharp.boards import board, boards
from sharp.toolchain import REPO


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("shape", [(40, 100, 50), (8, 32, 8), (256, 256, 4)])
def test_plan_json_names_tiles_per_group_and_compares_cycles(shape, capsys):
    i, h, t = shape
    code, out, _ = run_cli(capsys, "plan", "--input", i, "--hidden", h, "--steps", t, "--json")
    assert code == 0
    r = json.loads(out)
    config = sharp.HardwareConfig()
    want = dispatcher.baselines(config, i, h, t)
    assert r["build"] == config.name
    for name, p in want.items():
        got = r["plans"][name]
        assert (got["tiles_per_group_x"], got["tiles_per_group_h"]) == (1 << p.group_x, 1 << p.group_h)
        assert (got["group_x"], got["group_h"]) == (p.group_x, p.group_h)
        assert got["mode"] == ("overlapped" if p.mode == 1 else "sequential")
        assert got["cycles_vs_adaptive"] == p.estimate.cycles / want["adaptive"].estimate.cycles


def test_plan_text_says_tiles_per_group_rows_in_parallel_and_cycle_ratios(capsys):
    code, out, _ = run_cli(capsys, "plan", "--input", 40, "--hidden", 100, "--steps", 50)
    assert code == 0
    for stale in ("tile(s)", "rows/batch", "x faster"):
        assert stale not in out
    want = dispatcher.baselines(sharp.HardwareConfig(), 40, 100, 50)
    adaptive = want["adaptive"].estimate.cycles
    assert "W_x 1 tile per group (group_x=0: 16 lanes wide, 8 rows in parallel)" in out
    assert "W_x 8 tiles per group (group_x=3: 128 lanes wide, 1 row in parallel)" in out  # wide
    narrow = want["narrow"].estimate.cycles
    assert f"{narrow / adaptive:.3g}x the adaptive plan's {adaptive} cycles" in out
    # schedule_only pins the groupings the dispatcher chose here: the same cycles
    assert want["schedule_only"].estimate.cycles == adaptive
    assert "the same cycles as the adaptive plan" in out
    assert "docs/ARCHITECTURE.md" in out


def test_run_pins_groupings_in_tiles_per_group(tmp_path, rng, seed, capsys):
    model = sharp.LSTM.random(6, 10, seed=seed)
    model.save(tmp_path / "m.npz")
    np.save(tmp_path / "x.npy", rng.standard_normal((5, 6)))
    base = ["run", "--model", tmp_path / "m.npz", "--input", tmp_path / "x.npy", "--json"]
    code, out, err = run_cli(capsys, *base, "--tiles-per-group-x", 2, "--tiles-per-group-h", 8)
    assert code == 0, err
    text = json.loads(out)["plan"]
    assert "W_x 2 tiles per group (group_x=1" in text and "W_h 8 tiles per group (group_h=3" in text
    with pytest.raises(SystemExit) as exc:
        cli.main([str(a) for a in base] + ["--tiles-per-group-x", "3"])
    assert exc.value.code == 2
    assert "'3' tiles per group: must be a power of two" in capsys.readouterr().err


def test_build_names_tell_builds_of_one_array_apart(capsys):
    default, pynq = sharp.HardwareConfig(), board("pynq-z2").config
    assert default.array == pynq.array == "8x16"
    assert default.name != pynq.name
    names = {b.config.name for b in boards().values()} | {default.name}
    assert len(names) == len(boards()) + 1
    # every build parameter shows in the name
    for field in ("max_input", "max_hidden", "weight_depth", "bias_depth"):
        other = sharp.HardwareConfig(**{**default.as_dict(), field: getattr(default, field) // 2})
        assert other.name != default.name and other.array == default.array
    for argv, config in ((["info", "--board", "pynq-z2"], pynq), (["info"], default)):
        code, out, _ = run_cli(capsys, *argv)
        assert code == 0 and f"build {config.name}" in out
        code, out, _ = run_cli(capsys, *argv, "--json")
        assert json.loads(out)["build"] == config.name
    code, out, _ = run_cli(capsys, "plan", "--board", "pynq-z2", "--input", 8, "--hidden", 8)
    assert f"on the {pynq.name} build" in out


def test_docs_and_cli_help_use_one_grouping_vocabulary():
    texts = {p.name: p.read_text() for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]}
    texts["sharp run --help"] = cli.parser()._subparsers._group_actions[0].choices["run"].format_help()
    for name, text in texts.items():
        for stale in ("--group-x", "--group-h", "rows/batch", "tile(s)"):
            assert stale not in text, f"{name} still says {stale!r}"
    assert "--tiles-per-group-x" in texts["sharp run --help"]
    arch = texts["ARCHITECTURE.md"]
    assert re.search(r"tiles per group", arch) and "8x16-i512-h512-w8192-b1024" in arch
