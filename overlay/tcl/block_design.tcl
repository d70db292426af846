# The Vivado block design "sharp": Zynq PS, AXI DMA feeding sharp_top's streams, SmartConnects
# for control (PS master -> sharp_top, DMA, interrupt controller, reset GPIO) and memory
# (DMA -> PS HP port), one fabric clock at the board's clock_mhz with its proc_sys_reset, the
# interrupts, and sharp_top's own reset line for the host.
namespace eval sharp {
    variable design_name sharp
    variable ps_cell ps
}

proc sharp::create_platform_project {row platform project_dir ip_dir} {
    variable design_name
    create_project $design_name $project_dir -part [dict get $row part] -force
    set pattern [dict get $platform board_part]
    set board_part [lindex [lsort -dictionary [get_board_parts -quiet $pattern]] end]
    if {$board_part eq ""} {
        error "the board files $pattern are not installed: add them from Vivado's board store\
               (Tools > Vivado Store > Boards) or put them on the board.repoPaths parameter"
    }
    set_property board_part $board_part [current_project]
    set_property ip_repo_paths [list $ip_dir] [current_project]
    update_ip_catalog
    create_bd_design $design_name
}

proc sharp::add_processing_system {row platform} {
    variable ps_cell
    set ps [create_bd_cell -type ip -vlnv [dict get $platform vlnv] $ps_cell]
    apply_bd_automation -rule [dict get $platform automation_rule] \
        -config [dict get $platform automation_config] $ps
    set_property -dict [concat [dict get $platform ports] \
        [list [dict get $platform clock_property] [dict get $row clock_mhz]]] $ps
}

proc sharp::add_accelerator {row impl} {
    variable rtl_generics
    set accel [create_bd_cell -type ip -vlnv [sharp::ip_vlnv] sharp_top_0]
    # An HLS IP has its sizes compiled in; the packaged RTL takes them as generics.
    if {$impl eq "rtl"} {
        set config {}
        foreach {generic column} $rtl_generics { lappend config CONFIG.$generic [dict get $row $column] }
        set_property -dict $config $accel
    }
}

# Simple (not scatter-gather) DMA with 64-bit streams and 26-bit lengths: one transfer may move
# up to 64 MiB, where the default 14 bits stop at 16 KiB (a LOAD_WEIGHTS is larger).
proc sharp::add_dma {} {
    set dma [create_bd_cell -type ip -vlnv xilinx.com:ip:axi_dma axi_dma_0]
    set_property -dict {
        CONFIG.c_include_sg 0
        CONFIG.c_sg_length_width 26
        CONFIG.c_include_mm2s 1
        CONFIG.c_include_s2mm 1
        CONFIG.c_m_axi_mm2s_data_width 64
        CONFIG.c_m_axis_mm2s_tdata_width 64
        CONFIG.c_m_axi_s2mm_data_width 64
        CONFIG.c_s_axis_s2mm_tdata_width 64
        CONFIG.c_mm2s_burst_size 16
        CONFIG.c_s2mm_burst_size 16
    } $dma
}

# The host's reset line for sharp_top alone: a 1-bit output GPIO, high by default, ANDed with
# the system reset. After a timeout the host pulses it low (docs/PYNQ.md): the core returns to
# idle and keeps its weight, bias and table buffers, which a new bitstream download would clear.
# The DMA stays on the system reset (the host resets it through its own DMACR). The cell name is
# the attribute pynq gives it: overlay.sharp_reset.
proc sharp::add_core_reset {} {
    set_property -dict {
        CONFIG.C_GPIO_WIDTH 1
        CONFIG.C_ALL_OUTPUTS 1
        CONFIG.C_DOUT_DEFAULT 0x00000001
        CONFIG.C_IS_DUAL 0
        CONFIG.C_INTERRUPT_PRESENT 0
    } [create_bd_cell -type ip -vlnv xilinx.com:ip:axi_gpio sharp_reset]
    set_property -dict {CONFIG.C_SIZE 1 CONFIG.C_OPERATION and} \
        [create_bd_cell -type ip -vlnv xilinx.com:ip:util_vector_logic sharp_reset_and]
}

proc sharp::connect_design {platform} {
    variable ps_cell
    set ps $ps_cell
    create_bd_cell -type ip -vlnv xilinx.com:ip:proc_sys_reset proc_sys_reset_0
    set_property -dict {CONFIG.NUM_SI 1 CONFIG.NUM_MI 4} \
        [create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect control_interconnect]
    set_property -dict {CONFIG.NUM_SI 2 CONFIG.NUM_MI 1} \
        [create_bd_cell -type ip -vlnv xilinx.com:ip:smartconnect memory_interconnect]
    create_bd_cell -type ip -vlnv xilinx.com:ip:axi_intc axi_intc_0
    set_property -dict {CONFIG.NUM_PORTS 3} \
        [create_bd_cell -type ip -vlnv xilinx.com:ip:xlconcat interrupt_concat]

    # Clock and reset: everything runs on the PS fabric clock.

    set clock [get_bd_pins $ps/[dict get $platform fabric_clock]]
    set clocked {sharp_top_0/ap_clk axi_dma_0/s_axi_lite_aclk axi_dma_0/m_axi_mm2s_aclk
                 axi_dma_0/m_axi_s2mm_aclk control_interconnect/aclk memory_interconnect/aclk
                 axi_intc_0/s_axi_aclk sharp_reset/s_axi_aclk proc_sys_reset_0/slowest_sync_clk}
    foreach pin [dict get $platform port_clocks] { lappend clocked $ps/$pin }
    set clocked_pins {}
    foreach pin $clocked { lappend clocked_pins [get_bd_pins $pin] }
    connect_bd_net $clock {*}$clocked_pins
    connect_bd_net [get_bd_pins $ps/[dict get $platform fabric_resetn]] \
        [get_bd_pins proc_sys_reset_0/ext_reset_in]
    connect_bd_net [get_bd_pins proc_sys_reset_0/peripheral_aresetn] \
        [get_bd_pins sharp_reset_and/Op1] [get_bd_pins axi_dma_0/axi_resetn] \
        [get_bd_pins control_interconnect/aresetn] [get_bd_pins memory_interconnect/aresetn] \
        [get_bd_pins axi_intc_0/s_axi_aresetn] [get_bd_pins sharp_reset/s_axi_aresetn]
    # sharp_top's reset: the system reset AND the host's GPIO (the DMA keeps the system reset).
    connect_bd_net [get_bd_pins sharp_reset/gpio_io_o] [get_bd_pins sharp_reset_and/Op2]
    connect_bd_net [get_bd_pins sharp_reset_and/Res] [get_bd_pins sharp_top_0/ap_rst_n]

    # Control: PS master -> sharp_top registers, DMA registers, interrupt controller, reset GPIO.
    connect_bd_intf_net [get_bd_intf_pins $ps/[dict get $platform master]] \
        [get_bd_intf_pins control_interconnect/S00_AXI]
    connect_bd_intf_net [get_bd_intf_pins control_interconnect/M00_AXI] \
        [get_bd_intf_pins sharp_top_0/s_axi_control]
    connect_bd_intf_net [get_bd_intf_pins control_interconnect/M01_AXI] \
        [get_bd_intf_pins axi_dma_0/S_AXI_LITE]
    connect_bd_intf_net [get_bd_intf_pins control_interconnect/M02_AXI] \
        [get_bd_intf_pins axi_intc_0/s_axi]
    connect_bd_intf_net [get_bd_intf_pins control_interconnect/M03_AXI] \
        [get_bd_intf_pins sharp_reset/S_AXI]

    # Memory: the DMA's two masters -> PS high-performance port to DDR.
    connect_bd_intf_net [get_bd_intf_pins axi_dma_0/M_AXI_MM2S] \
        [get_bd_intf_pins memory_interconnect/S00_AXI]
    connect_bd_intf_net [get_bd_intf_pins axi_dma_0/M_AXI_S2MM] \
        [get_bd_intf_pins memory_interconnect/S01_AXI]
    connect_bd_intf_net [get_bd_intf_pins memory_interconnect/M00_AXI] \
        [get_bd_intf_pins $ps/[dict get $platform memory_port]]

    # Streams: DDR -> DMA -> sharp_top -> DMA -> DDR.
    connect_bd_intf_net [get_bd_intf_pins axi_dma_0/M_AXIS_MM2S] [get_bd_intf_pins sharp_top_0/in_stream]
    connect_bd_intf_net [get_bd_intf_pins sharp_top_0/out_stream] [get_bd_intf_pins axi_dma_0/S_AXIS_S2MM]

    # Interrupts through an AXI interrupt controller, the way PYNQ's Interrupt class expects.
    connect_bd_net [get_bd_pins sharp_top_0/interrupt] [get_bd_pins interrupt_concat/In0]
    connect_bd_net [get_bd_pins axi_dma_0/mm2s_introut] [get_bd_pins interrupt_concat/In1]
    connect_bd_net [get_bd_pins axi_dma_0/s2mm_introut] [get_bd_pins interrupt_concat/In2]
    connect_bd_net [get_bd_pins interrupt_concat/dout] [get_bd_pins axi_intc_0/intr]
    connect_bd_net [get_bd_pins axi_intc_0/irq] [get_bd_pins $ps/[dict get $platform irq]]
}

# Fixed addresses for the host's registers (docs/BOARDS.md lists them); the DMA's view of DDR
# is assigned by Vivado.
proc sharp::assign_addresses {platform} {
    variable ps_cell
    set space [get_bd_addr_spaces $ps_cell/[dict get $platform data_space]]
    set addresses [dict get $platform addresses]
    foreach {name segment} {sharp_top sharp_top_0/s_axi_control/Reg dma axi_dma_0/S_AXI_LITE/Reg
                            intc axi_intc_0/S_AXI/Reg reset sharp_reset/S_AXI/Reg} {
        assign_bd_address -target_address_space $space -offset [dict get $addresses $name] \
            -range 64K [get_bd_addr_segs $segment]
        puts "build.tcl: $segment at [dict get $addresses $name] (64K)"
    }
    assign_bd_address
}

proc sharp::finish_block_design {} {
    variable design_name
    validate_bd_design
    save_bd_design
    set bd_file [get_files $design_name.bd]
    generate_target all $bd_file
    add_files -norecurse [make_wrapper -files $bd_file -top]
    set_property top ${design_name}_wrapper [current_fileset]
    update_compile_order -fileset sources_1
}

proc sharp::create_block_design {row impl platform project_dir ip_dir} {
    sharp::create_platform_project $row $platform $project_dir $ip_dir
    sharp::add_processing_system $row $platform
    sharp::add_accelerator $row $impl
    sharp::add_dma
    sharp::add_core_reset
    sharp::connect_design $platform
    sharp::assign_addresses $platform
    sharp::finish_block_design
}
