"""hls/run_hls.tcl's control flow, run by tclsh against stand-ins for the Vitis HLS commands
(fake_vitis_hls.tcl): how far each step goes, the part, the clock, the build macros and the IP's
VLNV."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sharp import hls_csim

TCLSH = shutil.which("tclsh")
FAKE = Path(__file__).with_name("fake_vitis_hls.tcl")
STEPS = ["csim", "csynth", "cosim", "export"]
FLOW = {"csim": "csim_design", "csynth": "csynth_design", "cosim": "cosim_design",
        "export": "export_design"}
VLNV = "sharp.accel:hls:sharp_top:1.0"


def dry_run(tmp_path: Path, *args: str, **report: str) -> tuple[subprocess.CompletedProcess, list[list[str]]]:
    """report: SHARP_DRYRUN_II / SHARP_DRYRUN_LUT for the stand-in csynth reports."""
    assert TCLSH, "tclsh (Tcl 8.6) is needed for the dry run of run_hls.tcl: apt-get install tcl8.6"
    log = tmp_path / "vitis.log"
    env = dict(os.environ, SHARP_DRYRUN_LOG=str(log), SHARP_DRYRUN_ARGS=" ".join(args),
               SHARP_DRYRUN_SCRIPT=str(hls_csim.HLS_DIR / "run_hls.tcl"), SHARP_PYTHON=sys.executable,
               **report)
    proc = subprocess.run([TCLSH, str(FAKE)], capture_output=True, text=True, env=env, cwd=tmp_path)
    calls = [line.split("\t") for line in log.read_text().splitlines()] if log.exists() else []
    return proc, calls


def option(call: list[str], name: str) -> str:
    return call[call.index(name) + 1]


@pytest.mark.parametrize("step", STEPS)
def test_each_step_runs_the_steps_before_it(tmp_path, step):
    proc, calls = dry_run(tmp_path, step)
    assert proc.returncode == 0, proc.stderr
    ran = [s for s in STEPS if any(c[0] == FLOW[s] for c in calls)]
    assert ran == STEPS[:STEPS.index(step) + 1]


def test_default_part_clock_and_vlnv(tmp_path):
    proc, calls = dry_run(tmp_path, "export")
    assert proc.returncode == 0, proc.stderr
    by_name = {c[0]: c for c in calls}
    assert by_name["set_part"][1] == "xc7z020clg400-1"
    assert option(by_name["create_clock"], "-period") == "10"
    assert by_name["set_top"][1] == "sharp_top"
    assert by_name["open_project"][-1] == "sharp_prj" and "solution1" in by_name["open_solution"]
    for command in ("config_export", "export_design"):
        call = by_name[command]
        assert option(call, "-format") == "ip_catalog"
        vlnv = ":".join(option(call, o) for o in ("-vendor", "-library", "-ipname", "-version"))
        assert vlnv == VLNV


def test_part_clock_and_build_macros_reach_the_compiler_and_the_vectors(tmp_path):
    proc, calls = dry_run(tmp_path, "csim", "xck26-sfvc784-2LV-c", "clock_ns=5", "SHARP_N=16",
                          "SHARP_MAX_INPUT=256", "SHARP_MAX_HIDDEN=256", "SHARP_WDEPTH=2048",
                          "SHARP_BDEPTH=512", "SHARP_MAX_BATCH=4", "SHARP_WEIGHT_URAM_TILES=12")
    assert proc.returncode == 0, proc.stderr
    # the vectors are written for the sizes; the URAM split changes pragmas, not results
    assert "for the 16x16" in proc.stdout  # "16x16 build", or with capacities after issue 10
    assert "-batch4 build" in proc.stdout  # MAX_BATCH reaches the vectors' build
    by_name = {c[0]: c for c in calls}
    assert by_name["set_part"][1] == "xck26-sfvc784-2LV-c"
    assert option(by_name["create_clock"], "-period") == "5"
    sources = [c for c in calls if c[0] == "add_files"]
    assert len(sources) == 2 and sources[1][1] == "-tb"
    for call in sources:
        flags = option(call, "-cflags").split()
        assert {"-DSHARP_N=16", "-DSHARP_MAX_INPUT=256", "-DSHARP_WDEPTH=2048",
                "-DSHARP_MAX_BATCH=4", "-DSHARP_WEIGHT_URAM_TILES=12"} <= set(flags)
    vectors = Path(option(by_name["csim_design"], "-argv"))
    assert vectors.read_text().startswith(hls_csim.VECTOR_HEADER + "\n")


@pytest.mark.parametrize("arg,message", [("SHARP_Q=3", "unknown build parameter SHARP_Q"),
                                         ("SHARP_N=eight", "SHARP_N=eight is not a positive integer"),
                                         ("clock_ns=0", "clock_ns=0 is not a positive clock period"),
                                         ("clock_ns=fast", "clock_ns=fast is not a positive clock")])
def test_bad_build_parameters_are_named(tmp_path, arg, message):
    proc, calls = dry_run(tmp_path, "csim", arg)
    assert proc.returncode != 0 and message in proc.stderr
    assert calls == []


def test_csynth_reports_ii_and_fit(tmp_path):
    proc, _ = dry_run(tmp_path, "csynth")
    assert proc.returncode == 0, proc.stderr
    assert "RUN_CYCLES II=1, pipeline depth 19" in proc.stdout
    assert "LUT 1000 of 53200" in proc.stdout and "II=1 and the kernel fits the part" in proc.stdout


@pytest.mark.parametrize("report,message", [({"SHARP_DRYRUN_II": "2"}, "RUN_CYCLES II=2, not 1"),
                                            ({"SHARP_DRYRUN_LUT": "60000"}, "LUT 60000 > 53200")])
def test_csynth_stops_on_a_missed_ii_or_a_misfit(tmp_path, report, message):
    proc, calls = dry_run(tmp_path, "export", **report)
    assert proc.returncode != 0 and message in proc.stderr
    assert not any(c[0] in ("cosim_design", "export_design") for c in calls)
