# Stand-ins for the Vivado and Vitis HLS Tcl commands build.tcl uses, for a dry run in tclsh.
# Every command that changes something is appended to $env(SHARP_DRYRUN_LOG) as one JSON array
# of strings (set_property -dict is logged one property per line). Getters return the object
# they were asked for, so later calls log readable names. Files that Vivado or Vitis would write
# (exported IP, hardware handoff, bitstream) are created empty, so build.tcl's own file handling
# runs for real. Knobs, all environment variables:
#   SHARP_DRYRUN_WNS, SHARP_DRYRUN_WHS  the slack the fake implementation reports
#   SHARP_DRYRUN_FAILED_RUN             a run (synth_1, impl_1) that ends in an error
#   SHARP_DRYRUN_ABSENT                 object names that lookups do not find
#   SHARP_DRYRUN_NO_VITIS               hides vitis_hls from PATH
namespace eval ipx {}
namespace eval fake {
    variable log $::env(SHARP_DRYRUN_LOG)
    variable project_dir ""
    variable project_name ""
}

proc fake::json_string {text} {
    return "\"[string map {\\ \\\\ \" \\\" \n \\n \r \\r \t \\t} $text]\""
}

proc fake::record {args} {
    variable log
    set items {}
    foreach arg $args { lappend items [fake::json_string $arg] }
    set fh [open $log a]
    puts $fh "\[[join $items ,]\]"
    close $fh
}

# The first argument that is neither an option nor an option's value names the object.
proc fake::object_of {arguments} {
    set takes_value {-of_objects -filter -regexp -type -vlnv}
    for {set i 0} {$i < [llength $arguments]} {incr i} {
        set arg [lindex $arguments $i]
        if {$arg in $takes_value} { incr i; continue }
        if {[string match -* $arg]} { continue }
        return $arg
    }
    return ""
}

proc fake::touch {path} {
    file mkdir [file dirname $path]
    close [open $path w]
}

# Commands that act: logged, return nothing.
foreach command {
    close_project add_files update_compile_order update_ip_catalog validate_bd_design
    save_bd_design apply_bd_automation connect_bd_net connect_bd_intf_net assign_bd_address
    launch_runs wait_on_run open_run report_timing_summary report_utilization
    ipx::package_project ipx::associate_bus_interfaces ipx::add_bus_parameter
    ipx::infer_bus_interface ipx::remove_memory_map ipx::create_xgui_files
    ipx::update_checksums ipx::check_integrity ipx::save_core
} {
    proc $command {args} "fake::record $command {*}\$args"
}

# Commands that create a named object: logged, return its name.
foreach command {create_bd_design create_bd_cell ipx::add_memory_map ipx::add_address_block
                 ipx::add_register} {
    proc $command {args} "fake::record $command {*}\$args; return \[fake::object_of \$args\]"
}

# Lookups: return the object asked for, unless it is listed as absent.
proc fake::lookup {arguments} {
    set object [fake::object_of $arguments]
    if {[info exists ::env(SHARP_DRYRUN_ABSENT)] && $object in $::env(SHARP_DRYRUN_ABSENT)} {
        return ""
    }
    return $object
}
foreach command {get_bd_pins get_bd_intf_pins get_bd_cells get_bd_addr_spaces get_bd_addr_segs
                 get_runs get_files ipx::get_user_parameters ipx::get_hdl_parameters
                 ipx::get_bus_interfaces
                 ipx::get_bus_parameters ipx::get_memory_maps} {
    proc $command {args} { return [fake::lookup $args] }
}

# Board parts: the newest "installed" version of the pattern is 1.0.
proc get_board_parts {args} { return [string map {* 1.0} [fake::lookup $args]] }
proc current_project {} { return $fake::project_name }
proc current_fileset {} { return sources_1 }
proc ipx::current_core {} { return core }

proc create_project {name dir args} {
    fake::record create_project $name $dir {*}$args
    set fake::project_name $name
    set fake::project_dir $dir
    return $name
}

proc set_property {args} {
    if {[lindex $args 0] eq "-dict"} {
        foreach {key value} [lindex $args 1] {
            fake::record set_property $key $value {*}[lrange $args 2 end]
        }
    } else {
        fake::record set_property {*}$args
    }
}

proc get_property {name object} {
    switch -- $name {
        STATS.WNS { return $::env(SHARP_DRYRUN_WNS) }
        STATS.WHS { return $::env(SHARP_DRYRUN_WHS) }
        STATUS {
            set step [dict get {synth_1 synth_design impl_1 route_design} $object]
            if {[info exists ::env(SHARP_DRYRUN_FAILED_RUN)] && $::env(SHARP_DRYRUN_FAILED_RUN) eq $object} {
                return "$step ERROR"
            }
            return "$step Complete!"
        }
        DIRECTORY { return [file join $fake::project_dir $fake::project_name.runs $object] }
        default { return $object }
    }
}

proc generate_target {args} {
    fake::record generate_target {*}$args
    fake::touch [file join $fake::project_dir $fake::project_name.gen sources_1 bd sharp hw_handoff sharp.hwh]
}

proc make_wrapper {args} {
    fake::record make_wrapper {*}$args
    return [file join $fake::project_dir hdl sharp_wrapper.v]
}

proc write_bitstream {args} {
    fake::record write_bitstream {*}$args
    fake::touch [lindex $args end]
}

rename auto_execok fake::real_auto_execok
proc auto_execok {name} {
    if {$name eq "vitis_hls"} {
        if {[info exists ::env(SHARP_DRYRUN_NO_VITIS)]} { return "" }
        return /opt/fake/bin/vitis_hls
    }
    return [fake::real_auto_execok $name]
}

rename exec fake::real_exec
proc exec {args} {
    if {[lindex $args 0] ne "vitis_hls"} { return [fake::real_exec {*}$args] }
    fake::record exec {*}$args [list cwd [pwd]]
    fake::touch [file join [pwd] sharp_prj solution1 impl ip component.xml]
}
