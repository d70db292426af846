// The argument checks of §7 (BAD_ARGS, BAD_OPCODE) and the phase sizes of a RUN, computed from
// the argument registers in three pipeline stages: the sizes, the word counts RB * C (on a
// multiplier each), the bounds. The AXI-Lite slave takes at least three cycles per write, so
// after the last argument write the results have settled before the write of ap_start takes
// effect (docs/RTL.md).
module argument_check #(
    parameter int N          = sharp_pkg::DEFAULT_N,
    parameter int K          = sharp_pkg::DEFAULT_K,
    parameter int MAX_INPUT  = sharp_pkg::DEFAULT_MAX_INPUT,
    parameter int MAX_HIDDEN = sharp_pkg::DEFAULT_MAX_HIDDEN,
    parameter int WDEPTH     = sharp_pkg::DEFAULT_WDEPTH,
    parameter int BDEPTH     = sharp_pkg::DEFAULT_BDEPTH,
    parameter int MAX_BATCH  = sharp_pkg::DEFAULT_MAX_BATCH
) (
    input  logic                                 clk,
    input  logic [sharp_pkg::NUM_ARGS-1:0][31:0] args,
    output logic        opcode_ok,
    output logic        run_ok,
    output logic        load_weights_ok,
    output logic        load_bias_ok,
    output logic [10:0] chunks_x,    // C of W_x: ceil(I / w_x)
    output logic [10:0] chunks_h,
    output logic [14:0] batches_x,   // RB of W_x: ceil(R / G_x), R = Q H gate rows
    output logic [14:0] batches_h
);
  localparam int LG_N = $clog2(N);
  localparam int LG_K = $clog2(K);

  logic [31:0] i, h, group_x, group_h;
  assign i       = args[sharp_pkg::ARG_INPUT_SIZE];
  assign h       = args[sharp_pkg::ARG_HIDDEN_SIZE];
  assign group_x = args[sharp_pkg::ARG_GROUP_X];
  assign group_h = args[sharp_pkg::ARG_GROUP_H];

  // R = Q H: 4H for the LSTM, 3H for the GRU; meaningful once the cell is 0 or 1
  logic [14:0] rows;
  assign rows = args[sharp_pkg::ARG_CELL] == sharp_pkg::CELL_GRU ? 15'(h[12:0]) + 15'({h[12:0], 1'b0})
                                                                  : 15'({h[12:0], 2'b00});

  // C = ceil(L / (K << g)), RB = ceil(R / (N >> g)); meaningful once g <= log2 N
  function automatic logic [10:0] chunks(input logic [12:0] cols, input logic [2:0] g);
    logic [17:0] width;
    width = 18'(K) << g;
    chunks = 11'((18'(cols) + width - 18'd1) >> (LG_K + int'(g)));
  endfunction
  function automatic logic [14:0] batches(input logic [14:0] gate_rows, input logic [2:0] g);
    logic [15:0] groups;
    groups = 16'(N) >> g;
    batches = 15'((16'(gate_rows) + groups - 16'd1) >> (LG_N - int'(g)));
  endfunction

  // stage 1: everything but the word counts
  logic scalars_ok, bias_ok;
  always_ff @(posedge clk) begin
    chunks_x  <= chunks(i[12:0], group_x[2:0]);
    chunks_h  <= chunks(h[12:0], group_h[2:0]);
    batches_x <= batches(rows, group_x[2:0]);
    batches_h <= batches(rows, group_h[2:0]);
    scalars_ok <= i >= 1 && i <= MAX_INPUT && h >= 1 && h <= MAX_HIDDEN
                  && args[sharp_pkg::ARG_STEPS] >= 1 && args[sharp_pkg::ARG_MODE] <= 1
                  && group_x <= LG_N && group_h <= LG_N
                  && args[sharp_pkg::ARG_SHIFT_X] <= sharp_pkg::MAX_SHIFT
                  && args[sharp_pkg::ARG_SHIFT_H] <= sharp_pkg::MAX_SHIFT
                  && args[sharp_pkg::ARG_CELL] <= sharp_pkg::CELL_GRU
                  && args[sharp_pkg::ARG_STATE] <= sharp_pkg::STATE_FLAGS
                  && args[sharp_pkg::ARG_BATCH] >= 1 && args[sharp_pkg::ARG_BATCH] <= MAX_BATCH;
    bias_ok <= 33'(args[sharp_pkg::ARG_BIAS_BASE]) + 33'(h) <= 33'(BDEPTH);
    load_weights_ok <= 33'(args[sharp_pkg::ARG_LOAD_BASE]) + 33'(args[sharp_pkg::ARG_LOAD_COUNT])
                       <= 33'(WDEPTH);
    load_bias_ok <= 33'(args[sharp_pkg::ARG_LOAD_BASE]) + 33'(args[sharp_pkg::ARG_LOAD_COUNT])
                    <= 33'(BDEPTH);
    opcode_ok <= args[sharp_pkg::ARG_OPCODE] <= sharp_pkg::OP_RUN;
  end

  // stage 2: the word counts
  logic [25:0] words_x, words_h;
  logic        sizes_ok;
  always_ff @(posedge clk) begin
    words_x  <= 26'(batches_x) * 26'(chunks_x);
    words_h  <= 26'(batches_h) * 26'(chunks_h);
    sizes_ok <= scalars_ok && bias_ok;
  end

  // stage 3: both matrices fit the weight buffer from their bases
  always_ff @(posedge clk)
    run_ok <= sizes_ok
              && 33'(args[sharp_pkg::ARG_WX_BASE]) + 33'(words_x) <= 33'(WDEPTH)
              && 33'(args[sharp_pkg::ARG_WH_BASE]) + 33'(words_h) <= 33'(WDEPTH);
endmodule
