# The accelerator IP from hls/: Vitis HLS synthesises and exports sharp_top for the board's part
# (hls/run_hls.tcl), giving the IP sharp.accel:hls:sharp_top:1.0 under its solution's impl/ip.
namespace eval sharp {}

proc sharp::build_ip_hls {repo row} {
    set hls_dir [file join $repo hls]
    if {![file exists [file join $hls_dir run_hls.tcl]]} {
        error "IMPL=hls needs hls/run_hls.tcl, which is missing from $hls_dir"
    }
    if {[auto_execok vitis_hls] eq ""} {
        error "IMPL=hls needs vitis_hls on PATH: install AMD Vitis HLS (2023.2 or later) and\
               source its settings64.sh, or build from the RTL with IMPL=rtl"
    }
    set part [dict get $row part]
    puts "build.tcl: exporting the HLS IP for $part (hls/run_hls.tcl)"
    set here [pwd]
    cd $hls_dir
    set failed [catch {exec vitis_hls -f run_hls.tcl -tclargs export $part >@ stdout 2>@ stderr} message]
    cd $here
    if {$failed} {
        error "vitis_hls -f run_hls.tcl -tclargs export $part failed: $message"
    }
    set ip_dir [file join $hls_dir sharp_prj solution1 impl ip]
    if {![file exists [file join $ip_dir component.xml]]} {
        error "vitis_hls finished but exported no IP: $ip_dir/component.xml is missing"
    }
    return $ip_dir
}
