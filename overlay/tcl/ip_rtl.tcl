# The accelerator IP from rtl/: the SystemVerilog sharp_top packaged with ipx under the VLNV,
# bus interfaces and register map that Vitis HLS gives its export, so block_design.tcl treats
# both sources alike. The board's build parameters are set on the block-design cell.
namespace eval sharp {
    variable ip_vendor sharp.accel
    variable ip_library hls
    variable ip_name sharp_top
    variable ip_version 1.0
    variable rtl_generics {N tiles K lanes MAX_INPUT max_input MAX_HIDDEN max_hidden
                           WDEPTH weight_depth BDEPTH bias_depth MAX_BATCH max_batch
                           WEIGHT_URAM_TILES weight_uram_tiles}
}

# The VLNV of the HLS export (vendor, library, name, version), which the packaged RTL takes too.
proc sharp::ip_vlnv {} {
    variable ip_vendor
    variable ip_library
    variable ip_name
    variable ip_version
    return $ip_vendor:$ip_library:$ip_name:$ip_version
}

# The sources listed in rtl/files.f, the list the lint and simulation flows compile too.
proc sharp::rtl_sources {rtl_dir} {
    set list_file [file join $rtl_dir files.f]
    if {![file exists $list_file]} {
        error "IMPL=rtl needs rtl/files.f, the list of the SystemVerilog sources; $list_file is missing"
    }
    set fh [open $list_file r]
    set names [split [string trim [read $fh]] "\n"]
    close $fh
    set sources {}
    foreach name $names {
        set name [string trim $name]
        if {$name eq "" || [string match "#*" $name] || [string match "//*" $name]} { continue }
        set path [file join $rtl_dir $name]
        if {![file exists $path]} { error "rtl/files.f lists $name, which is not in $rtl_dir" }
        lappend sources $path
    }
    return $sources
}

proc sharp::package_rtl_ip {repo row build_dir} {
    variable ip_vendor
    variable ip_library
    variable ip_name
    variable ip_version
    variable rtl_generics
    set sources [sharp::rtl_sources [file join $repo rtl]]
    set ip_dir [file join $build_dir ip_rtl]
    create_project sharp_ip [file join $build_dir ip_project] -part [dict get $row part] -force
    add_files -norecurse $sources
    set_property top $ip_name [current_fileset]
    update_compile_order -fileset sources_1
    ipx::package_project -root_dir $ip_dir -vendor $ip_vendor -library $ip_library \
        -taxonomy /UserIP -import_files -set_current true -force
    set core [ipx::current_core]
    set_property -dict [list name $ip_name version $ip_version display_name "SHARP LSTM accelerator" \
        description "SHARP LSTM accelerator (RTL), register-compatible with the Vitis HLS export"] $core
    # The parameters default to the board's sizes, as integers: the packager may not evaluate
    # defaults that come from sharp_pkg, and a string-typed generic would not elaborate.
    foreach {generic column} $rtl_generics {
        set user [ipx::get_user_parameters $generic -of_objects $core]
        if {$user eq ""} {
            error "rtl/ sharp_top has no parameter $generic (boards.csv column $column)"
        }
        set typed [list value [dict get $row $column] value_format long]
        set_property -dict $typed $user
        set_property -dict $typed [ipx::get_hdl_parameters $generic -of_objects $core]
    }
    sharp::declare_bus_interfaces $core
    sharp::declare_register_map $core
    ipx::create_xgui_files $core
    ipx::update_checksums $core
    ipx::check_integrity $core
    ipx::save_core $core
    close_project
    return $ip_dir
}

# ipx::package_project infers the interfaces from the port names (s_axi_control_*, in_stream_T*,
# out_stream_T*, ap_clk, ap_rst_n); this checks it did and adds what HLS declares besides.
proc sharp::declare_bus_interfaces {core} {
    foreach busif {s_axi_control in_stream out_stream ap_clk ap_rst_n} {
        if {[ipx::get_bus_interfaces $busif -of_objects $core] eq ""} {
            error "ipx::package_project did not infer the bus interface $busif from rtl/ sharp_top"
        }
    }
    ipx::associate_bus_interfaces -busif s_axi_control -clock ap_clk $core
    ipx::associate_bus_interfaces -busif in_stream -clock ap_clk $core
    ipx::associate_bus_interfaces -busif out_stream -clock ap_clk $core
    ipx::associate_bus_interfaces -clock ap_clk -reset ap_rst_n $core
    sharp::set_bus_parameter [ipx::get_bus_interfaces ap_rst_n -of_objects $core] POLARITY ACTIVE_LOW
    if {[ipx::get_bus_interfaces interrupt -of_objects $core] eq ""} {
        ipx::infer_bus_interface interrupt xilinx.com:signal:interrupt_rtl:1.0 $core
    }
    sharp::set_bus_parameter [ipx::get_bus_interfaces interrupt -of_objects $core] SENSITIVITY LEVEL_HIGH
}

proc sharp::set_bus_parameter {busif name value} {
    if {[ipx::get_bus_parameters $name -of_objects $busif] eq ""} {
        ipx::add_bus_parameter $name $busif
    }
    set_property value $value [ipx::get_bus_parameters $name -of_objects $busif]
}

# The memory map s_axi_control with one 512-byte block "Reg" (9-bit addresses), as in the HLS export.
proc sharp::declare_register_map {core} {
    foreach old [ipx::get_memory_maps -of_objects $core] { ipx::remove_memory_map [get_property name $old] $core }
    set map [ipx::add_memory_map s_axi_control $core]
    set_property slave_memory_map_ref s_axi_control [ipx::get_bus_interfaces s_axi_control -of_objects $core]
    set block [ipx::add_address_block Reg $map]
    set_property -dict {range 512 width 32 usage register} $block
    foreach {name offset access} [sharp::register_map] {
        set reg [ipx::add_register $name $block]
        set_property -dict [list address_offset $offset size 32 access $access] $reg
    }
}
