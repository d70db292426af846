# Vitis HLS flow for sharp_top (docs/HLS.md). Run from hls/:
#   vitis_hls -f run_hls.tcl -tclargs <step> [part] [clock_ns=<period>] [SHARP_<NAME>=<value> ...]
# step, how far the flow goes (each step runs the ones before it):
#   csim    C simulation: tb/sharp_tb.cpp replays vectors written by the golden model
#   csynth  C synthesis; reports under sharp_prj/solution1/syn/report, then csynth_check.tcl:
#           RUN_CYCLES must reach II=1 and every resource must be within the part, or it stops
#   cosim   RTL co-simulation of the same vectors
#   export  IP catalog export as sharp.accel:hls:sharp_top:1.0 (sharp_prj/solution1/impl/ip)
# part: default xc7z020clg400-1 (PYNQ-Z2).
# clock_ns: the clock period the core is scheduled for, default 10 (100 MHz); build.tcl passes
# the board's 1000 / clock_mhz.
# SHARP_<NAME>=<value>: build parameters of sharp_config.h, the sizes (SHARP_N, SHARP_K,
# SHARP_MAX_INPUT, SHARP_MAX_HIDDEN, SHARP_WDEPTH, SHARP_BDEPTH, SHARP_MAX_BATCH) and SHARP_WEIGHT_URAM_TILES
# (the tiles whose weight banks are UltraRAM, only on parts that have it); unset ones keep the
# header's defaults.
# The vectors come from the repository's venv Python (SHARP_PYTHON overrides its path).

set steps {csim csynth cosim export}
set size_macros {SHARP_N SHARP_K SHARP_MAX_INPUT SHARP_MAX_HIDDEN SHARP_WDEPTH SHARP_BDEPTH SHARP_MAX_BATCH}
# storage choices change pragmas only, not what the C simulation computes: not for the vectors
set storage_macros {SHARP_WEIGHT_URAM_TILES}
set build_macros [concat $size_macros $storage_macros]
set vendor sharp.accel
set library hls
set ipname sharp_top
set version 1.0
set clock_ns 10

set step export
set part xc7z020clg400-1
set macros {}
foreach arg $argv {
    if {[regexp {^clock_ns=(.*)$} $arg -> value]} {
        if {![string is double -strict $value] || $value <= 0} {
            error "run_hls.tcl: clock_ns=$value is not a positive clock period in ns"
        }
        set clock_ns $value
    } elseif {[regexp {^(\w+)=(.*)$} $arg -> name value]} {
        if {[lsearch -exact $build_macros $name] < 0} {
            error "run_hls.tcl: unknown build parameter $name; the parameters are [join $build_macros {, }]"
        }
        if {![string is digit -strict $value]} {
            error "run_hls.tcl: $name=$value is not a positive integer"
        }
        lappend macros $name=$value
    } elseif {[lsearch -exact $steps $arg] >= 0} {
        set step $arg
    } else {
        set part $arg
    }
}
set last [lsearch -exact $steps $step]
proc upto {name} { return [expr {[lsearch -exact $::steps $name] <= $::last}] }

set here [file dirname [file normalize [info script]]]
set cflags "-I$here"
foreach m $macros { append cflags " -D$m" }

# Self-checking vectors for this build: INFO, tables, a small layer in both modes, BAD_ARGS.
set python [expr {[info exists ::env(SHARP_PYTHON)] ? $::env(SHARP_PYTHON) \
                  : [file join [file dirname $here] .venv bin python]}]
if {![file executable $python]} {
    error "run_hls.tcl: no Python at $python to write the test vectors; run `make venv` in the\
           repository or set SHARP_PYTHON"
}
set vectors [file join [file dirname $here] build hls vitis_vectors.txt]
file mkdir [file dirname $vectors]
set build_args {}
foreach m $macros {
    if {[lsearch -exact $size_macros [lindex [split $m =] 0]] >= 0} { lappend build_args --build $m }
}
exec $python -m sharp.hls_csim --write-vectors $vectors {*}$build_args >@ stdout 2>@ stderr

open_project -reset sharp_prj
set_top sharp_top
add_files [file join $here sharp_top.cpp] -cflags $cflags
add_files -tb [file join $here tb sharp_tb.cpp] -cflags $cflags
open_solution -reset solution1 -flow_target vivado
set_part $part
create_clock -period $clock_ns -name default
# ap_rst_n resets the control registers and FSM only: the weight, bias and table BRAMs keep
# their contents across a reset, as the contract requires (ARCHITECTURE.md §7).
config_rtl -reset control -reset_level low
config_export -format ip_catalog -rtl verilog -vendor $vendor -library $library \
    -ipname $ipname -version $version -display_name "SHARP LSTM accelerator"

csim_design -argv $vectors
if {[upto csynth]} {
    csynth_design
    source [file join $here csynth_check.tcl]
    sharp_csynth_check [file join sharp_prj solution1 syn report]
}
if {[upto cosim]} { cosim_design -rtl verilog -argv $vectors }
if {[upto export]} {
    export_design -format ip_catalog -rtl verilog -vendor $vendor -library $library \
        -ipname $ipname -version $version -display_name "SHARP LSTM accelerator"
}
exit
