// Constants of the hardware contract (docs/ARCHITECTURE.md) shared by every RTL module.
// The DEFAULT_* values are sharp.HardwareConfig()'s; a test compares them.
package sharp_pkg;

  localparam int DEFAULT_N          = 8;
  localparam int DEFAULT_K          = 16;
  localparam int DEFAULT_MAX_INPUT  = 512;
  localparam int DEFAULT_MAX_HIDDEN = 512;
  localparam int DEFAULT_WDEPTH     = 8192;
  localparam int DEFAULT_BDEPTH     = 1024;

  localparam int CONTRACT_VERSION = 1;
  localparam int LUT_BITS         = 12;
  localparam int MAX_SHIFT        = 40;

  // opcodes (register 0x10)
  localparam logic [31:0] OP_INFO         = 32'd0;
  localparam logic [31:0] OP_LOAD_WEIGHTS = 32'd1;
  localparam logic [31:0] OP_LOAD_BIAS    = 32'd2;
  localparam logic [31:0] OP_LOAD_TABLES  = 32'd3;
  localparam logic [31:0] OP_RUN          = 32'd4;

  // status bits
  localparam int STATUS_EARLY_TLAST   = 0;
  localparam int STATUS_MISSING_TLAST = 1;
  localparam int STATUS_BAD_ARGS      = 2;
  localparam int STATUS_BAD_OPCODE    = 3;

  // Argument slots, in register order from 0x10 (sharp.regmap.ARGUMENTS).
  localparam int ARG_OPCODE = 0, ARG_INPUT_SIZE = 1, ARG_HIDDEN_SIZE = 2, ARG_STEPS = 3,
                 ARG_MODE = 4, ARG_GROUP_X = 5, ARG_GROUP_H = 6, ARG_SHIFT_X = 7,
                 ARG_SHIFT_H = 8, ARG_WX_BASE = 9, ARG_WH_BASE = 10, ARG_BIAS_BASE = 11,
                 ARG_LOAD_BASE = 12, ARG_LOAD_COUNT = 13;
  localparam int NUM_ARGS = 14;

  // Output slots, following the arguments (sharp.regmap.OUTPUTS).
  localparam int OUT_CYCLES_LO = 0, OUT_CYCLES_HI = 1, OUT_ACTIVE_LO = 2, OUT_ACTIVE_HI = 3,
                 OUT_ISSUE_CYCLES = 4, OUT_STALL_INPUT = 5, OUT_STALL_DEPENDENCY = 6,
                 OUT_STALL_OUTPUT = 7, OUT_STATUS = 8, OUT_BUILD_INFO = 9,
                 OUT_CAPACITY_INFO = 10, OUT_WEIGHT_DEPTH = 11, OUT_BIAS_DEPTH = 12;
  localparam int NUM_OUTPUTS = 13;

  // Exact product of an unsigned a (AW bits) and a value b, as shifts and adds, so that Yosys
  // does not spend a DSP48 on it: the P DSP48s belong to the MAC lanes.
  function automatic logic [47:0] mul_shift_add(input logic [23:0] a, input logic [47:0] b);
    logic [47:0] acc;
    acc = '0;
    for (int i = 0; i < 24; i++)
      if (a[i]) acc = acc + (b << i);
    mul_shift_add = acc;
  endfunction

  // Signed 16 x 16 product as shifts and adds (elementwise unit; kept off the DSP48s).
  function automatic logic signed [31:0] mul16_shift_add(input logic signed [15:0] a,
                                                         input logic signed [15:0] b);
    logic signed [31:0] acc, be;
    be = 32'(b);
    acc = '0;
    for (int i = 0; i < 15; i++)
      if (a[i]) acc = acc + (be <<< i);
    if (a[15]) acc = acc - (be <<< 15);
    mul16_shift_add = acc;
  endfunction

endpackage
