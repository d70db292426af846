# After csynth_design: does the kernel meet what docs/HLS.md designs it for? Reads the csynth
# XML reports and prints, then checks:
#   - the achieved II of RUN_CYCLES (the cycle loop, sharp_run.h) is 1: one iteration per clock,
#     so the counters equal the cycle model (docs/ARCHITECTURE.md §7);
#   - its pipeline depth (iteration latency), for the record: the schedule does not depend on it;
#   - every resource of the top (LUT, FF, DSP, BRAM_18K, URAM) is within the part.
# Any miss is an error that names the figure, so one csynth run answers "II=1 and does it fit".
proc sharp_xml_value {text tag} {
    if {[regexp "<$tag>\\s*(\[^<\]*?)\\s*</$tag>" $text -> value]} { return $value }
    return ""
}

proc sharp_csynth_check {report_dir} {
    set reports [glob -nocomplain -directory $report_dir *.xml]
    if {[llength $reports] == 0} {
        error "csynth_check: no csynth XML reports under $report_dir"
    }
    # the loop's entry: <RUN_CYCLES> ... <PipelineII>n</PipelineII> ... </RUN_CYCLES>
    set ii ""
    foreach path $reports {
        set fh [open $path r]
        set text [read $fh]
        close $fh
        if {[regexp {<RUN_CYCLES>(.*?)</RUN_CYCLES>} $text -> loop]} {
            set ii [sharp_xml_value $loop PipelineII]
            set depth [sharp_xml_value $loop PipelineDepth]
            set where [file tail $path]
        }
    }
    if {$ii eq ""} {
        error "csynth_check: no RUN_CYCLES loop with a PipelineII in $report_dir/*.xml; look for it in\
               the csynth.rpt loop table"
    }
    puts "csynth_check: RUN_CYCLES II=$ii, pipeline depth $depth (from $where)"
    set top [file join $report_dir csynth.xml]
    if {![file exists $top]} { error "csynth_check: $top is missing" }
    set fh [open $top r]
    set text [read $fh]
    close $fh
    if {![regexp {<Resources>(.*?)</Resources>} $text -> used] ||
        ![regexp {<AvailableResources>(.*?)</AvailableResources>} $text -> avail]} {
        error "csynth_check: $top has no Resources / AvailableResources"
    }
    set misses {}
    foreach kind {LUT FF DSP BRAM_18K URAM} {
        set u [sharp_xml_value $used $kind]
        set a [sharp_xml_value $avail $kind]
        if {$u eq "" || $a eq ""} continue
        puts "csynth_check: $kind $u of $a"
        if {$u > $a} { lappend misses "$kind $u > $a" }
    }
    if {$ii != 1} { lappend misses "RUN_CYCLES II=$ii, not 1 (see the II violation messages in the csynth log)" }
    if {[llength $misses]} { error "csynth_check: [join $misses {; }]" }
    puts "csynth_check: II=1 and the kernel fits the part (csynth estimates; place and route decides)"
}
