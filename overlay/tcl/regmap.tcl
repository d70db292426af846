# The s_axi_control register map of docs/ARCHITECTURE.md section 7, as Vitis HLS lays it out:
# the RTL IP declares the same registers so both IPs describe themselves alike in the .hwh.
# host/sharp/regmap.py is the Python copy; tests/test_build_tcl.py checks the two agree.
namespace eval sharp {
    variable control_registers {CTRL 0x00 GIE 0x04 IER 0x08 ISR 0x0C}
    # Scalar arguments, in sharp_top's declaration order: one 8-byte slot each from 0x10.
    variable argument_registers {
        opcode input_size hidden_size steps mode group_x group_h shift_x shift_h
        wx_base wh_base bias_base load_base load_count
    }
    # Outputs follow: data at the slot, its ap_vld flag at slot + 4.
    variable output_registers {
        cycles_lo cycles_hi active_lo active_hi issue_cycles stall_input stall_dependency
        stall_output status build_info capacity_info weight_depth bias_depth
    }
    # Arguments and outputs of contract version 2, declared after the outputs so that no version-1
    # offset moves; max_batch takes the address space to 9 bits.
    variable argument_registers_v2 {cell state batch}
    variable output_registers_v2 {max_batch}
}

# Returns {name offset access ...} for every register, in address order.
proc sharp::register_map {} {
    variable control_registers
    variable argument_registers
    variable output_registers
    variable argument_registers_v2
    variable output_registers_v2
    set regs {}
    foreach {name offset} $control_registers {
        lappend regs $name [format 0x%02X $offset] read-write
    }
    set offset 0x10
    foreach name $argument_registers {
        lappend regs $name [format 0x%02X $offset] read-write
        incr offset 8
    }
    foreach name $output_registers {
        lappend regs $name [format 0x%02X $offset] read-only
        lappend regs ${name}_ctrl [format 0x%02X [expr {$offset + 4}]] read-only
        incr offset 8
    }
    foreach name $argument_registers_v2 {
        lappend regs $name [format 0x%02X $offset] read-write
        incr offset 8
    }
    foreach name $output_registers_v2 {
        lappend regs $name [format 0x%02X $offset] read-only
        lappend regs ${name}_ctrl [format 0x%02X [expr {$offset + 4}]] read-only
        incr offset 8
    }
    return $regs
}
