# What differs between the boards' processing systems: the PS IP, its board preset, the names
# of its clock, reset, interrupt and AXI pins, and where the PL peripherals sit in its map.
namespace eval sharp {
    # board -> board-file pattern (the newest installed version is used) and PS family. The
    # KV260 SOM's board file holds its PS preset; the design uses no carrier-card pins.
    variable board_platforms {
        pynq-z2 {family ps7    board_part tul.com.tw:pynq-z2:part0:*}
        zcu104  {family zynqmp board_part xilinx.com:zcu104:part0:*}
        kv260   {family zynqmp board_part xilinx.com:kv260_som:part0:*}
    }
    variable ps_families {
        ps7 {
            vlnv xilinx.com:ip:processing_system7
            automation_rule xilinx.com:bd_rule:processing_system7
            automation_config {make_external "FIXED_IO, DDR" apply_board_preset "1" Master "Disable" Slave "Disable"}
            clock_property CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ
            ports {CONFIG.PCW_USE_M_AXI_GP0 1 CONFIG.PCW_USE_S_AXI_HP0 1
                   CONFIG.PCW_S_AXI_HP0_DATA_WIDTH 64
                   CONFIG.PCW_USE_FABRIC_INTERRUPT 1 CONFIG.PCW_IRQ_F2P_INTR 1}
            master M_AXI_GP0  memory_port S_AXI_HP0
            port_clocks {M_AXI_GP0_ACLK S_AXI_HP0_ACLK}
            fabric_clock FCLK_CLK0  fabric_resetn FCLK_RESET0_N  irq IRQ_F2P
            data_space Data
            addresses {sharp_top 0x43C00000 dma 0x40400000 intc 0x41800000 reset 0x43C10000}
        }
        zynqmp {
            vlnv xilinx.com:ip:zynq_ultra_ps_e
            automation_rule xilinx.com:bd_rule:zynq_ultra_ps_e
            automation_config {apply_board_preset "1"}
            clock_property CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ
            ports {CONFIG.PSU__USE__M_AXI_GP0 1 CONFIG.PSU__USE__M_AXI_GP1 0
                   CONFIG.PSU__USE__M_AXI_GP2 0 CONFIG.PSU__USE__S_AXI_GP2 1
                   CONFIG.PSU__SAXIGP2__DATA_WIDTH 64 CONFIG.PSU__USE__IRQ0 1}
            master M_AXI_HPM0_FPD  memory_port S_AXI_HP0_FPD
            port_clocks {maxihpm0_fpd_aclk saxihp0_fpd_aclk}
            fabric_clock pl_clk0  fabric_resetn pl_resetn0  irq pl_ps_irq0
            data_space Data
            addresses {sharp_top 0xA0000000 dma 0xA0010000 intc 0xA0020000 reset 0xA0030000}
        }
    }
}

# A row <board>-<variant> of boards.csv (zcu104-wide) is another build on <board>'s block design.
proc sharp::platform {board} {
    variable board_platforms
    variable ps_families
    set base $board
    if {![dict exists $board_platforms $base]} { regsub -- {-[a-z0-9]+$} $board {} base }
    if {![dict exists $board_platforms $base]} {
        error "board '$board' is in boards.csv but overlay/tcl/platforms.tcl does not say which\
               processing system it has; known: [join [lsort [dict keys $board_platforms]] {, }]\
               (and <board>-<variant> for another build on one of them)"
    }
    set board_info [dict get $board_platforms $base]
    return [dict merge $board_info [dict get $ps_families [dict get $board_info family]]]
}
