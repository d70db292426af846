"""Build tools for the Verilator simulation of sharp_top: the Verilated library (build.py, with
its C++ driver harness.cpp) and the lint run. The port on it is sharp.ports.verilator."""
