"""Fast Verilator simulation of sharp_top: a C++ driver behind a ctypes Port (see port.py)."""
from .port import VerilatorPort

__all__ = ["VerilatorPort"]
