"""Issue 17's acceptance: the golden model within 2e-4 of torch on torch-default models, and the
plumbing of the accuracy report (bench/accuracy.py, `make accuracy`, docs/ACCURACY.md)."""
from __future__ import annotations

import sys

import pytest

from sharp.toolchain import REPO

sys.path.insert(0, str(REPO / "bench"))
import accuracy  # noqa: E402
from accuracy import TARGET, Case, make_report, read_report, render, run_case, write_report  # noqa: E402

SIZES = [(1, 32), (8, 32), (40, 100), (128, 128)]
BATCH = 8


@pytest.mark.parametrize("steps", [8, 100])
@pytest.mark.parametrize("input_size,hidden", SIZES)
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_golden_model_within_2e_4_of_torch(cell, input_size, hidden, steps, seed):
    """torch's default initialisation under torch.manual_seed(seed); x and the calibration draw
    (another draw of the same distribution, standard normal) from np.random.default_rng(seed);
    max |dh| over every step, unit and sequence of the output."""
    case = Case(cell, input_size, hidden, steps, batch=BATCH)
    r = run_case(case, seed)
    where = (f"{case.name}, batch {BATCH}, seed {seed} (rerun with SHARP_SEED={seed}; "
             f"accuracy.run_case(accuracy.Case({cell!r}, {input_size}, {hidden}, {steps}, "
             f"batch={BATCH}), {seed}))")
    s = r["saturation"]
    assert s["weights_saturated"] == 0 and s["input_saturated"] == 0, (
        f"{where}: the quantizer saturated {s['weights_saturated']} weights and "
        f"{s['input_saturated']} inputs (input Q.{s['input_frac']}): {s['warnings']}")
    assert r["float_vs_torch"] <= 1e-9, f"{where}: the float model is {r['float_vs_torch']:.2e} from torch"
    at = r["max_at"]
    assert r["max_abs_dh"] <= TARGET, (
        f"{where}: max|Δh| against torch {r['max_abs_dh']:.3e} > {TARGET:g} (issue 17), at step "
        f"{at['step']} unit {at['feature']} of sequence {at['sequence']}; mean|Δh| "
        f"{r['mean_abs_dh']:.2e}; contract {accuracy.contract_label(accuracy.contract())}")


def test_report_round_trips_and_renders(tmp_path, seed):
    case = Case("gru", 2, 3, 5, batch=2)
    results = [run_case(case, seed), run_case(Case("lstm", 2, 3, 1000, batch=1), seed)]
    assert results[0]["seed"] == seed and results[0]["calibration_batch"] >= 2
    assert len(results[1]["max_abs_dh_by_step"]) == 1000
    report = make_report(results, "golden", 1.0, "test")
    path = write_report(tmp_path / "a.json", report)
    back = read_report(path)
    assert back == report
    assert {"ZF", "CF", "table_size", "config", "git"} <= set(back["contract"])
    text = render(back, back)
    assert case.name in text and "1.000" in text and "before" in text
    md = render(back, None, markdown=True)
    assert f"| {case.name} |" in md and "ZF=" in md
    assert accuracy.plot(back, back, tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"

    back["schema"] = 0
    write_report(tmp_path / "bad.json", back)
    with pytest.raises(ValueError, match="schema"):
        read_report(tmp_path / "bad.json")
    del report["cases"][0]["max_abs_dh"]
    write_report(tmp_path / "bad.json", report)
    with pytest.raises(ValueError, match="max_abs_dh"):
        read_report(tmp_path / "bad.json")


def test_command_writes_the_report_and_markdown_compares(tmp_path, capsys):
    out, before = tmp_path / "after.json", tmp_path / "before.json"
    args = ["-k", "GRU 8→32 T=8", "--plot", str(tmp_path / "p.png")]
    assert accuracy.main([*args, "--out", str(before), "--before", str(before)]) == 0
    assert accuracy.main([*args, "--out", str(out), "--before", str(before)]) == 0
    a, b = read_report(out), read_report(before)
    assert [c["name"] for c in a["cases"]] == ["GRU 8→32 T=8"]
    assert a["cases"][0]["max_abs_dh"] == b["cases"][0]["max_abs_dh"]  # fixed seeds: reproducible
    capsys.readouterr()
    assert accuracy.main(["--markdown", "--out", str(out), "--before", str(before)]) == 0
    md = capsys.readouterr().out
    assert "| GRU 8→32 T=8 |" in md and "after/before" in md and "| 1.000 |" in md
    assert accuracy.main(["--markdown", "--out", str(tmp_path / "x.json"),
                          "--before", str(tmp_path / "y.json")]) == 2
