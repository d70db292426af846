# Synthesis, implementation, the timing gate and the PYNQ overlay files (sharp.bit + sharp.hwh).
namespace eval sharp {}

# Runs synth_1 (to its end) or impl_1 (to route_design) and checks the run reached that step.
proc sharp::run_and_check {run last_step} {
    if {$run eq "impl_1"} {
        launch_runs $run -to_step $last_step -jobs [sharp::jobs]
    } else {
        launch_runs $run -jobs [sharp::jobs]
    }
    wait_on_run $run
    set status [get_property STATUS [get_runs $run]]
    if {$status ne "$last_step Complete!"} {
        error "$run stopped with status '$status' before completing $last_step; its log is in\
               [get_property DIRECTORY [get_runs $run]]"
    }
}

proc sharp::jobs {} {
    if {[info exists ::env(SHARP_JOBS)]} { return $::env(SHARP_JOBS) }
    return 2
}

# A design that misses setup or hold timing fails on the board in ways no test explains:
# refuse to write a bitstream for it.
proc sharp::check_timing {report_dir} {
    open_run impl_1
    report_timing_summary -max_paths 10 -file [file join $report_dir timing_summary.rpt]
    report_utilization -file [file join $report_dir utilization.rpt]
    set wns [get_property STATS.WNS [get_runs impl_1]]
    set whs [get_property STATS.WHS [get_runs impl_1]]
    puts "build.tcl: WNS $wns ns, WHS $whs ns"
    if {$wns < 0 || $whs < 0} {
        error "timing not met: WNS $wns ns, WHS $whs ns (both must be >= 0); see\
               [file join $report_dir timing_summary.rpt]. Lower clock_mhz in overlay/boards.csv\
               or the board's sizes, and build again"
    }
}

proc sharp::find_hwh {project_dir} {
    variable design_name
    # Vivado 2020.2 and later generate under <project>.gen, earlier ones under <project>.srcs.
    set found [glob -nocomplain [file join $project_dir * sources_1 bd $design_name hw_handoff $design_name.hwh]]
    if {[llength $found] != 1} {
        error "expected one $design_name.hwh under $project_dir, found [llength $found]: $found"
    }
    return [lindex $found 0]
}

proc sharp::implement {project_dir overlay_dir} {
    variable design_name
    sharp::run_and_check synth_1 synth_design
    sharp::run_and_check impl_1 route_design
    sharp::check_timing $project_dir
    set bit [file join $project_dir $design_name.bit]
    write_bitstream -force $bit
    file mkdir $overlay_dir
    file copy -force $bit [file join $overlay_dir sharp.bit]
    file copy -force [sharp::find_hwh $project_dir] [file join $overlay_dir sharp.hwh]
    puts "build.tcl: wrote [file join $overlay_dir sharp.bit] and sharp.hwh"
}
