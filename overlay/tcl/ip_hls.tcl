# The accelerator IP from hls/: Vitis HLS synthesises and exports sharp_top for the board's part
# (hls/run_hls.tcl), giving the IP sharp.accel:hls:sharp_top:1.0 under its solution's impl/ip.
# The board's sizes follow the part as SHARP_<NAME>=<value> arguments, the macros of
# hls/sharp_config.h, since an HLS IP has its sizes compiled in; so do where the weights live
# (SHARP_WEIGHT_URAM_TILES from the weight_uram_tiles column) and the clock period the core is
# scheduled for.
namespace eval sharp {
    variable hls_macros {SHARP_N tiles SHARP_K lanes SHARP_MAX_INPUT max_input
                         SHARP_MAX_HIDDEN max_hidden SHARP_WDEPTH weight_depth SHARP_BDEPTH bias_depth
                         SHARP_MAX_BATCH max_batch}
}

proc sharp::build_ip_hls {repo row} {
    variable hls_macros
    set hls_dir [file join $repo hls]
    if {![file exists [file join $hls_dir run_hls.tcl]]} {
        error "IMPL=hls needs hls/run_hls.tcl, which is missing from $hls_dir"
    }
    if {[auto_execok vitis_hls] eq ""} {
        error "IMPL=hls needs vitis_hls on PATH: install AMD Vitis HLS (2023.2 or later) and\
               source its settings64.sh, or build from the RTL with IMPL=rtl"
    }
    set tclargs [list export [dict get $row part]]
    foreach {macro column} $hls_macros { lappend tclargs $macro=[dict get $row $column] }
    lappend tclargs SHARP_WEIGHT_URAM_TILES=[sharp::weight_uram_tiles $row]
    lappend tclargs clock_ns=[format %g [expr {1000.0 / [dict get $row clock_mhz]}]]
    puts "build.tcl: vitis_hls -f run_hls.tcl -tclargs $tclargs"
    set here [pwd]
    cd $hls_dir
    set failed [catch {exec vitis_hls -f run_hls.tcl -tclargs {*}$tclargs >@ stdout 2>@ stderr} message]
    cd $here
    if {$failed} {
        error "vitis_hls -f run_hls.tcl -tclargs $tclargs failed: $message"
    }
    set ip_dir [file join $hls_dir sharp_prj solution1 impl ip]
    if {![file exists [file join $ip_dir component.xml]]} {
        error "vitis_hls finished but exported no IP: $ip_dir/component.xml is missing"
    }
    return $ip_dir
}
