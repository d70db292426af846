# Builds the SHARP overlay for a PYNQ board:
#   vivado -mode batch -source build.tcl -tclargs <board> <hls|rtl>
# The board's part, sizes and clock come from overlay/boards.csv. The result is
# overlay/<board>/sharp.bit and sharp.hwh; the Vivado projects stay under build/vivado/<board>-<impl>.
set repo [file dirname [file normalize [info script]]]
foreach piece {boards platforms regmap ip_hls ip_rtl block_design implement} {
    source [file join $repo overlay tcl $piece.tcl]
}

proc sharp::main {repo arguments} {
    set table [sharp::read_boards [file join $repo overlay boards.csv]]
    if {[llength $arguments] != 2} {
        error "usage: vivado -mode batch -source build.tcl -tclargs <board> <impl>, with board one of\
               [join [lsort [dict keys $table]] {, }] and impl one of hls, rtl"
    }
    lassign $arguments board impl
    set row [sharp::board_row $table $board]
    sharp::check_impl $impl
    sharp::weight_uram_tiles $row
    set platform [sharp::platform $board]
    set build_dir [file join $repo build vivado $board-$impl]
    file mkdir $build_dir
    puts "build.tcl: $board ($impl) on [dict get $row part], [dict get $row tiles]x[dict get $row lanes]\
          MACs at [dict get $row clock_mhz] MHz"
    if {$impl eq "hls"} {
        set ip_dir [sharp::build_ip_hls $repo $row]
    } else {
        set ip_dir [sharp::package_rtl_ip $repo $row $build_dir]
    }
    set project_dir [file join $build_dir project]
    sharp::create_block_design $row $impl $platform $project_dir $ip_dir
    sharp::implement $project_dir [file join $repo overlay $board]
}

if {[catch {sharp::main $repo $argv} message]} {
    puts stderr "build.tcl: ERROR: $message"
    exit 1
}
