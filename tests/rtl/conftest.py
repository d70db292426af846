"""The tests and the cocotb testbench import their helpers (rtl_cases.py, rtl_builds.py, ...)
from this directory."""
import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
