"""The s_axi_control register map and opcodes (docs/ARCHITECTURE.md, section 7)."""
from __future__ import annotations

CTRL, GIE, IER, ISR = 0x00, 0x04, 0x08, 0x0C
AP_START, AP_DONE, AP_IDLE, AP_READY, AUTO_RESTART = 1 << 0, 1 << 1, 1 << 2, 1 << 3, 1 << 7

# Scalar arguments, in sharp_top's declaration order: one 8-byte slot each from 0x10.
ARGUMENTS = ("opcode", "input_size", "hidden_size", "steps", "mode", "group_x", "group_h",
             "shift_x", "shift_h", "wx_base", "wh_base", "bias_base", "load_base", "load_count")
# Outputs follow: data at the slot, ap_vld (clear on read) at slot + 4.
OUTPUTS = ("cycles_lo", "cycles_hi", "active_lo", "active_hi", "issue_cycles", "stall_input",
           "stall_dependency", "stall_output", "status", "build_info", "capacity_info",
           "weight_depth", "bias_depth")
# Arguments and outputs of contract version 2, declared after the outputs so that no version-1
# offset moves; max_batch takes the address space to 9 bits.
ARGUMENTS_V2 = ("cell", "state", "batch")
OUTPUTS_V2 = ("max_batch",)

OFFSETS = {name: 0x10 + 8 * i
           for i, name in enumerate(ARGUMENTS + OUTPUTS + ARGUMENTS_V2 + OUTPUTS_V2)}
ARGUMENTS = ARGUMENTS + ARGUMENTS_V2  # every argument register, in offset order
OUTPUTS = OUTPUTS + OUTPUTS_V2        # every output register, in offset order
ADDR_WIDTH = 9

OP_INFO, OP_LOAD_WEIGHTS, OP_LOAD_BIAS, OP_LOAD_TABLES, OP_RUN = range(5)
OPCODE_NAMES = {OP_INFO: "INFO", OP_LOAD_WEIGHTS: "LOAD_WEIGHTS", OP_LOAD_BIAS: "LOAD_BIAS",
                OP_LOAD_TABLES: "LOAD_TABLES", OP_RUN: "RUN"}

STATUS_EARLY_TLAST, STATUS_MISSING_TLAST, STATUS_BAD_ARGS, STATUS_BAD_OPCODE = 1, 2, 4, 8
STATUS_NAMES = {STATUS_EARLY_TLAST: "EARLY_TLAST", STATUS_MISSING_TLAST: "MISSING_TLAST",
                STATUS_BAD_ARGS: "BAD_ARGS", STATUS_BAD_OPCODE: "BAD_OPCODE"}

MAX_SHIFT = 40

# The `state` register (ARCHITECTURE.md §8, "Carried state")
STATE_IN, STATE_OUT = 1 << 0, 1 << 1


def describe_status(status: int) -> str:
    names = [n for bit, n in STATUS_NAMES.items() if status & bit]
    return "|".join(names) if names else "OK"


def describe_ctrl(ctrl: int) -> str:
    bits = {"start": AP_START, "done": AP_DONE, "idle": AP_IDLE, "ready": AP_READY}
    return "CTRL=0x%02x (%s)" % (ctrl, ", ".join(n for n, b in bits.items() if ctrl & b) or "busy")
