# Stand-ins for the Vitis HLS commands run_hls.tcl uses, for a dry run in tclsh: each call is
# appended to $env(SHARP_DRYRUN_LOG) as one line, the command and its arguments joined by tabs.
foreach command {open_project set_top add_files open_solution set_part create_clock config_rtl
                 config_export csim_design csynth_design cosim_design export_design} {
    proc $command {args} [string map [list @NAME@ $command] {
        set fh [open $::env(SHARP_DRYRUN_LOG) a]
        puts $fh [join [linsert $args 0 @NAME@] "\t"]
        close $fh
    }]
}
set argv $::env(SHARP_DRYRUN_ARGS)
set argc [llength $argv]
source $::env(SHARP_DRYRUN_SCRIPT)
