"""The cocotb testbench and the tests import helpers (cases.py, builds.py) from this directory."""
import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
