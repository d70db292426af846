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
# csynth_design also leaves the two reports csynth_check.tcl reads: the loop's II and the top's
# resources, from SHARP_DRYRUN_II (default 1) and SHARP_DRYRUN_LUT (default 1000 of 53200).
rename csynth_design log_csynth_design
proc csynth_design {args} {
    log_csynth_design {*}$args
    set dir [file join sharp_prj solution1 syn report]
    file mkdir $dir
    set ii [expr {[info exists ::env(SHARP_DRYRUN_II)] ? $::env(SHARP_DRYRUN_II) : 1}]
    set lut [expr {[info exists ::env(SHARP_DRYRUN_LUT)] ? $::env(SHARP_DRYRUN_LUT) : 1000}]
    set fh [open [file join $dir run_layer_Pipeline_RUN_CYCLES_csynth.xml] w]
    puts $fh "<profile><PerformanceEstimates><SummaryOfLoopLatency><RUN_CYCLES><TripCount>undef</TripCount>\
              <PipelineII>$ii</PipelineII><PipelineDepth>19</PipelineDepth></RUN_CYCLES>\
              </SummaryOfLoopLatency></PerformanceEstimates></profile>"
    close $fh
    set fh [open [file join $dir csynth.xml] w]
    puts $fh "<profile><AreaEstimates><Resources><BRAM_18K>140</BRAM_18K><DSP>135</DSP><FF>20000</FF>\
              <LUT>$lut</LUT><URAM>0</URAM></Resources><AvailableResources><BRAM_18K>280</BRAM_18K>\
              <DSP>220</DSP><FF>106400</FF><LUT>53200</LUT><URAM>0</URAM></AvailableResources>\
              </AreaEstimates></profile>"
    close $fh
}
set argv $::env(SHARP_DRYRUN_ARGS)
set argc [llength $argv]
source $::env(SHARP_DRYRUN_SCRIPT)
