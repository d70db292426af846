"""The notebooks (*.ipynb) and their data (data/): `pynq get-notebooks sharp-fpga` copies this
folder (the entry point in the pynq.notebooks group names it); `make test` executes each one
on the verilator backend (tests/test_notebooks.py)."""
