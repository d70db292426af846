// Constants of the hardware contract (docs/ARCHITECTURE.md) shared by every RTL module.
// The DEFAULT_* values are sharp.HardwareConfig()'s; a test compares them.
package sharp_pkg;

  localparam int DEFAULT_N          = 8;
  localparam int DEFAULT_K          = 16;
  localparam int DEFAULT_MAX_INPUT  = 512;
  localparam int DEFAULT_MAX_HIDDEN = 512;
  localparam int DEFAULT_WDEPTH     = 8192;
  localparam int DEFAULT_BDEPTH     = 1024;
  localparam int DEFAULT_MAX_BATCH  = 8;

  localparam int CONTRACT_VERSION = 2;
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
  localparam int NUM_ARGS_V1 = 14;   // the version-1 arguments, before the outputs
  // version 2: after the outputs, so that no version-1 offset moves (0xE8, 0xF0, 0xF8)
  localparam int ARG_CELL = 14, ARG_STATE = 15, ARG_BATCH = 16;
  localparam int NUM_ARGS = 17;

  // the `cell` register: 0 LSTM (4 gate rows a hidden unit), 1 GRU (3)
  localparam logic [31:0] CELL_GRU = 32'd1;
  // the `state` register (§8, "Carried state"): bit 0 STATE_IN, bit 1 STATE_OUT
  localparam int STATE_IN = 0, STATE_OUT = 1;
  localparam logic [31:0] STATE_FLAGS = 32'd3;

  // Output slots, following the arguments (sharp.regmap.OUTPUTS).
  localparam int OUT_CYCLES_LO = 0, OUT_CYCLES_HI = 1, OUT_ACTIVE_LO = 2, OUT_ACTIVE_HI = 3,
                 OUT_ISSUE_CYCLES = 4, OUT_STALL_INPUT = 5, OUT_STALL_DEPENDENCY = 6,
                 OUT_STALL_OUTPUT = 7, OUT_STATUS = 8, OUT_BUILD_INFO = 9,
                 OUT_CAPACITY_INFO = 10, OUT_WEIGHT_DEPTH = 11, OUT_BIAS_DEPTH = 12;
  localparam int NUM_OUTPUTS_V1 = 13;   // the version-1 outputs, before the version-2 arguments
  // version 2: after the version-2 arguments (0x100)
  localparam int OUT_MAX_BATCH = 13;
  localparam int NUM_OUTPUTS = 14;

  // Unsigned 16 x 32 bit product as a balanced tree of shifted partial products, for the one
  // small product (the active-lane count) kept off the multipliers: Yosys maps every `*` to a
  // DSP48 / MULT18X18D, and those are for the MAC lanes, the elementwise products and the
  // argument check's word counts (P + 3E + 2 in all, docs/RTL.md).
  function automatic logic [47:0] mul_u16_u32(input logic [15:0] a, input logic [31:0] b);
    logic [15:0][47:0] terms;
    for (int i = 0; i < 16; i++)
      terms[i] = a[i] ? (48'(b) << i) : 48'd0;
    for (int width = 8; width >= 1; width = width / 2)
      for (int i = 0; i < width; i++)
        terms[i] = terms[2*i] + terms[2*i+1];
    mul_u16_u32 = terms[0];
  endfunction

  // look(T, v, s) of §3, its sample k and phi (13 bits) from sum = v + 2048 * 2^s, taken before
  // any saturation of v (the clamp covers it): (0, 0) below the table, (4095, 0) from its
  // last entry on, else k = sum >>> s and phi the low s bits, shifted to 13.
  // v = z in Q.16 (s = 9): sum = z + 2^20
  function automatic logic [24:0] z_lookup(input logic signed [37:0] sum);
    if (sum[37]) z_lookup = 25'd0;
    else if (sum[36:21] != 0 || &sum[20:9]) z_lookup = {12'd4095, 13'd0};
    else z_lookup = {sum[20:9], sum[8:0], 4'd0};
  endfunction
  // v = c in Q.20 (s = 13): sum = c + 2^24
  function automatic logic [24:0] c_lookup(input logic signed [27:0] sum);
    if (sum[27]) c_lookup = 25'd0;
    else if (sum[26:25] != 0 || &sum[24:13]) c_lookup = {12'd4095, 13'd0};
    else c_lookup = sum[24:0];
  endfunction

endpackage
