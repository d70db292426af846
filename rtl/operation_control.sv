// One operation from ap_start to ap_done: the snapshot of the arguments and the quantities
// derived from them, the end condition, the performance counters and the
// results (docs/ARCHITECTURE.md §7).
module operation_control
#(
    parameter int N          = sharp_pkg::DEFAULT_N,
    parameter int K          = sharp_pkg::DEFAULT_K,
    parameter int MAX_INPUT  = sharp_pkg::DEFAULT_MAX_INPUT,
    parameter int MAX_HIDDEN = sharp_pkg::DEFAULT_MAX_HIDDEN,
    parameter int WDEPTH     = sharp_pkg::DEFAULT_WDEPTH,
    parameter int BDEPTH     = sharp_pkg::DEFAULT_BDEPTH,
    parameter int MAX_BATCH  = sharp_pkg::DEFAULT_MAX_BATCH
) (
    input  logic                                    clk,
    input  logic                                    rst,
    input  logic                                    ap_start,
    input  logic [sharp_pkg::NUM_ARGS-1:0][31:0]    args,
    output logic                                    ap_idle,
    output logic                                    ap_done,  // last busy cycle of the operation
    output logic [sharp_pkg::NUM_OUTPUTS-1:0][31:0] results,

    // the operation, registered at its first cycle
    output logic        begin_op,    // the cycle before the first busy cycle
    output logic        busy,
    output logic        op_load_weights,
    output logic        op_load_bias,
    output logic        op_load_tables,
    output logic        op_run,      // only for operations whose arguments passed the checks
    output logic [12:0] input_size,
    output logic [12:0] hidden_size,
    output logic [12:0] hidden_m1,   // H - 1, and so on: the last values of the counters
    output logic [31:0] steps_m1,
    output logic [5:0]  batch_m1,    // B - 1 (B <= MAX_BATCH <= 64)
    output logic        mode,
    output logic        is_gru,      // 0 LSTM, 1 GRU
    output logic        state_in,    // a RUN whose in_stream starts with the initial state
    output logic        state_out,   // a RUN whose out_stream ends with the final state
    output logic [14:0] gate_rows,   // R = Q H: 4H (LSTM) or 3H (GRU)
    output logic [2:0]  group_x,
    output logic [2:0]  group_h,
    output logic [5:0]  shift_x,
    output logic [5:0]  shift_h,
    output logic [31:0] wx_base,
    output logic [31:0] wh_base,
    output logic [31:0] bias_base,
    output logic [31:0] load_base,
    output logic [31:0] load_count_m1,
    output logic [10:0] chunks_x_m1, // C - 1 of W_x: C = ceil(I / w_x)
    output logic [10:0] chunks_h_m1,
    output logic [14:0] batches_x_m1, // RB - 1 of W_x: RB = ceil(R / G_x)
    output logic [14:0] batches_h_m1,
    output logic [10:0] beats_x_m1,  // ceil(I / 4) - 1

    // progress of the parts
    input  logic        load_complete,
    input  logic        all_pushed,  // the last item's h (and the final states) are in the output FIFO
    input  logic        out_fifo_empty,
    input  logic        early_tlast,
    input  logic        missing_tlast,
    input  logic        stream_waiting,  // a load is waiting for a beat
    input  logic        issue,
    input  logic [6:0]  issue_rows,      // useful rows and columns of the issued word
    input  logic [12:0] issue_cols,
    input  logic        wait_input,
    input  logic        wait_dependency,
    input  logic        ew_output_blocked
);
  logic [31:0] a_op;
  assign a_op = args[sharp_pkg::ARG_OPCODE];

  logic        run_ok, load_w_ok, load_b_ok, opcode_ok, nop;
  logic [10:0] cx_next, ch_next;
  logic [14:0] bx_next, bh_next;
  argument_check #(
      .N(N), .K(K), .MAX_INPUT(MAX_INPUT), .MAX_HIDDEN(MAX_HIDDEN), .WDEPTH(WDEPTH),
      .BDEPTH(BDEPTH), .MAX_BATCH(MAX_BATCH)
  ) check (
      .clk, .args, .opcode_ok, .run_ok, .load_weights_ok(load_w_ok), .load_bias_ok(load_b_ok),
      .chunks_x(cx_next), .chunks_h(ch_next), .batches_x(bx_next), .batches_h(bh_next)
  );

  // ---- the operation
  logic [3:0] status;
  logic       is_run, is_load_w, is_load_b, is_load_t, count_zero, bad_args;
  assign is_run     = a_op == sharp_pkg::OP_RUN;
  assign is_load_w  = a_op == sharp_pkg::OP_LOAD_WEIGHTS;
  assign is_load_b  = a_op == sharp_pkg::OP_LOAD_BIAS;
  assign is_load_t  = a_op == sharp_pkg::OP_LOAD_TABLES;
  assign count_zero = args[sharp_pkg::ARG_LOAD_COUNT] == 0;
  assign bad_args   = (is_run && !run_ok) || (is_load_w && !load_w_ok) || (is_load_b && !load_b_ok);

  assign begin_op = ap_start && !busy;
  assign ap_idle  = !busy;

  always_ff @(posedge clk) begin
    if (rst) begin
      busy            <= 1'b0;
      nop             <= 1'b0;
      op_load_weights <= 1'b0;
      op_load_bias    <= 1'b0;
      op_load_tables  <= 1'b0;
      op_run          <= 1'b0;
      status          <= '0;
    end else if (begin_op) begin
      busy            <= 1'b1;
      op_load_weights <= is_load_w && load_w_ok && !count_zero;
      op_load_bias    <= is_load_b && load_b_ok && !count_zero;
      op_load_tables  <= is_load_t;
      op_run          <= is_run && run_ok;
      // INFO, failed checks and empty loads transfer nothing: they end in their first cycle
      nop <= !opcode_ok || bad_args || a_op == sharp_pkg::OP_INFO
             || ((is_load_w || is_load_b) && count_zero);
      status <= '0;
      status[sharp_pkg::STATUS_BAD_OPCODE] <= !opcode_ok;
      status[sharp_pkg::STATUS_BAD_ARGS]   <= bad_args;
    end else if (busy) begin
      if (early_tlast) status[sharp_pkg::STATUS_EARLY_TLAST] <= 1'b1;
      if (missing_tlast) status[sharp_pkg::STATUS_MISSING_TLAST] <= 1'b1;
      if (ap_done) begin
        busy            <= 1'b0;
        op_load_weights <= 1'b0;
        op_load_bias    <= 1'b0;
        op_load_tables  <= 1'b0;
        op_run          <= 1'b0;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (begin_op) begin
      input_size  <= args[sharp_pkg::ARG_INPUT_SIZE][12:0];
      hidden_size <= args[sharp_pkg::ARG_HIDDEN_SIZE][12:0];
      hidden_m1   <= args[sharp_pkg::ARG_HIDDEN_SIZE][12:0] - 13'd1;
      steps_m1    <= args[sharp_pkg::ARG_STEPS] - 32'd1;
      batch_m1    <= 6'(args[sharp_pkg::ARG_BATCH] - 32'd1);
      mode        <= args[sharp_pkg::ARG_MODE][0];
      is_gru      <= args[sharp_pkg::ARG_CELL][0];
      // only for a RUN: the register keeps its value across the other operations
      state_in    <= is_run && run_ok && args[sharp_pkg::ARG_STATE][sharp_pkg::STATE_IN];
      state_out   <= is_run && run_ok && args[sharp_pkg::ARG_STATE][sharp_pkg::STATE_OUT];
      gate_rows   <= args[sharp_pkg::ARG_CELL][0]
                     ? 15'(args[sharp_pkg::ARG_HIDDEN_SIZE][12:0]) + 15'({args[sharp_pkg::ARG_HIDDEN_SIZE][12:0], 1'b0})
                     : 15'({args[sharp_pkg::ARG_HIDDEN_SIZE][12:0], 2'b00});
      group_x     <= args[sharp_pkg::ARG_GROUP_X][2:0];
      group_h     <= args[sharp_pkg::ARG_GROUP_H][2:0];
      shift_x     <= args[sharp_pkg::ARG_SHIFT_X][5:0];
      shift_h     <= args[sharp_pkg::ARG_SHIFT_H][5:0];
      wx_base     <= args[sharp_pkg::ARG_WX_BASE];
      wh_base     <= args[sharp_pkg::ARG_WH_BASE];
      bias_base   <= args[sharp_pkg::ARG_BIAS_BASE];
      load_base   <= args[sharp_pkg::ARG_LOAD_BASE];
      load_count_m1 <= args[sharp_pkg::ARG_LOAD_COUNT] - 32'd1;
      chunks_x_m1   <= cx_next - 11'd1;
      chunks_h_m1   <= ch_next - 11'd1;
      batches_x_m1  <= bx_next - 15'd1;
      batches_h_m1  <= bh_next - 15'd1;
      beats_x_m1    <= 11'((args[sharp_pkg::ARG_INPUT_SIZE][12:0] - 13'd1) >> 2);
    end
  end

  always_comb begin
    ap_done = 1'b0;
    if (busy) begin
      if (nop) ap_done = 1'b1;
      else if (op_run) ap_done = all_pushed && out_fifo_empty;
      else ap_done = load_complete;
    end
  end

  // ---- performance counters (§7): every busy cycle is in at most one of issue and the stalls
  logic [63:0] cycles, active;
  logic [31:0] issue_cycles, stall_input, stall_dependency, stall_output;
  logic        active_valid;
  logic [6:0]  active_rows;
  logic [12:0] active_cols;
  logic [19:0] active_add;

  always_ff @(posedge clk) begin
    if (begin_op) begin
      cycles           <= 64'd1;   // counts the last busy cycle too
      active           <= '0;
      issue_cycles     <= '0;
      stall_input      <= '0;
      stall_dependency <= '0;
      stall_output     <= '0;
      active_valid     <= 1'b0;
      active_add       <= '0;
    end else if (busy) begin
      cycles <= cycles + 64'd1;
      if (issue) issue_cycles <= issue_cycles + 32'd1;
      if (op_run ? wait_input : stream_waiting) stall_input <= stall_input + 32'd1;
      if (wait_dependency && !ew_output_blocked) stall_dependency <= stall_dependency + 32'd1;
      if (wait_dependency && ew_output_blocked) stall_output <= stall_output + 32'd1;
      // useful lane-cycles of a word = rows x columns, two cycles behind the issue
      active_valid <= issue;
      active_rows  <= issue_rows;
      active_cols  <= issue_cols;
      active_add   <= active_valid ? 20'(sharp_pkg::mul_u16_u32(16'(active_rows), 32'(active_cols))) : '0;
      active       <= active + 64'(active_add);
    end
  end

  always_comb begin
    results = '0;
    results[sharp_pkg::OUT_CYCLES_LO]        = cycles[31:0];
    results[sharp_pkg::OUT_CYCLES_HI]        = cycles[63:32];
    results[sharp_pkg::OUT_ACTIVE_LO]        = active[31:0];
    results[sharp_pkg::OUT_ACTIVE_HI]        = active[63:32];
    results[sharp_pkg::OUT_ISSUE_CYCLES]     = issue_cycles;
    results[sharp_pkg::OUT_STALL_INPUT]      = stall_input;
    results[sharp_pkg::OUT_STALL_DEPENDENCY] = stall_dependency;
    results[sharp_pkg::OUT_STALL_OUTPUT]     = stall_output;
    results[sharp_pkg::OUT_STATUS]           = {28'b0, status};
    results[sharp_pkg::OUT_BUILD_INFO]       = {8'(sharp_pkg::CONTRACT_VERSION), 8'(sharp_pkg::LUT_BITS), 8'(K), 8'(N)};
    results[sharp_pkg::OUT_CAPACITY_INFO]    = {16'(MAX_HIDDEN), 16'(MAX_INPUT)};
    results[sharp_pkg::OUT_WEIGHT_DEPTH]     = 32'(WDEPTH);
    results[sharp_pkg::OUT_BIAS_DEPTH]       = 32'(BDEPTH);
    results[sharp_pkg::OUT_MAX_BATCH]        = 32'(MAX_BATCH);
  end
endmodule
