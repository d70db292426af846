// SHARP: the accelerator behind the Vitis-style ports of docs/ARCHITECTURE.md §7.
//
// Datapath of one issued weight word (issue at cycle i):
//   i            scheduler: weight and vector buffer addresses
//   i+1          buffer outputs, vector broadcast, into the lanes' input registers
//   i+2          lane accumulate (DSP48)
//   i+3 ..       log2 P - 1 tree levels (the first adds four lanes)
//   i+2+log2 P   round (add the half, shift)
//   i+3+log2 P   saturate, write the row-sum buffer: readable at i + L_MAC, 4 + log2 P
module sharp_top
#(
    parameter int N          = sharp_pkg::DEFAULT_N,
    parameter int K          = sharp_pkg::DEFAULT_K,
    parameter int MAX_INPUT  = sharp_pkg::DEFAULT_MAX_INPUT,
    parameter int MAX_HIDDEN = sharp_pkg::DEFAULT_MAX_HIDDEN,
    parameter int WDEPTH     = sharp_pkg::DEFAULT_WDEPTH,
    parameter int BDEPTH     = sharp_pkg::DEFAULT_BDEPTH,
    parameter int MAX_BATCH  = sharp_pkg::DEFAULT_MAX_BATCH,
    // storage only (the board's weight_uram_tiles): tiles 0..WEIGHT_URAM_TILES-1 keep their
    // weights in UltraRAM, the others in block RAM
    parameter int WEIGHT_URAM_TILES = 0
) (
    input  logic        ap_clk,
    input  logic        ap_rst_n,
    output logic        interrupt,

    input  logic        s_axi_control_AWVALID,
    output logic        s_axi_control_AWREADY,
    input  logic [8:0]  s_axi_control_AWADDR,
    input  logic        s_axi_control_WVALID,
    output logic        s_axi_control_WREADY,
    input  logic [31:0] s_axi_control_WDATA,
    input  logic [3:0]  s_axi_control_WSTRB,
    input  logic        s_axi_control_ARVALID,
    output logic        s_axi_control_ARREADY,
    input  logic [8:0]  s_axi_control_ARADDR,
    output logic        s_axi_control_RVALID,
    input  logic        s_axi_control_RREADY,
    output logic [31:0] s_axi_control_RDATA,
    output logic [1:0]  s_axi_control_RRESP,
    output logic        s_axi_control_BVALID,
    input  logic        s_axi_control_BREADY,
    output logic [1:0]  s_axi_control_BRESP,

    input  logic [63:0] in_stream_TDATA,
    input  logic        in_stream_TVALID,
    output logic        in_stream_TREADY,
    input  logic [7:0]  in_stream_TKEEP,
    input  logic [7:0]  in_stream_TSTRB,
    input  logic        in_stream_TLAST,

    output logic [63:0] out_stream_TDATA,
    output logic        out_stream_TVALID,
    input  logic        out_stream_TREADY,
    output logic [7:0]  out_stream_TKEEP,
    output logic [7:0]  out_stream_TSTRB,
    output logic        out_stream_TLAST
);
  localparam int P      = N * K;
  localparam int LG_P   = $clog2(P);
  localparam int MAX_L  = MAX_INPUT > MAX_HIDDEN ? MAX_INPUT : MAX_HIDDEN;
  localparam int SUM_W  = 32 + $clog2(MAX_L);   // exact dot products (reduction_tree.sv)
  localparam int WAW    = (WDEPTH > 1) ? $clog2(WDEPTH) : 1;
  localparam int BAW    = (BDEPTH > 1) ? $clog2(BDEPTH) : 1;
  localparam int SGW    = (P / 4 > 1) ? $clog2(P / 4) : 1;
  localparam int SBW    = (MAX_BATCH > 1) ? $clog2(MAX_BATCH) : 1;   // a sequence's slot
  localparam int L_MAC  = 4 + LG_P;
  // a credit taken when a unit is read returns L_EW + 2 cycles later: 16 beats keep the
  // elementwise unit going at one beat a cycle (E = 4)
  localparam int FIFO_DEPTH = 16;
  // elementwise units per cycle, min(4, max(1, N/8)) (§6): four h fill one out_stream beat
  localparam int E      = (N / 8 > 4) ? 4 : (N / 8 > 1) ? N / 8 : 1;
  localparam int BEATS  = (E + 2) / 4 + 1;          // out_stream beats E in-order units can touch

  logic clk, rst;
  assign clk = ap_clk;
  assign rst = !ap_rst_n;

  // ---- control
  logic                         ap_start, ap_idle, ap_done;
  logic [sharp_pkg::NUM_ARGS-1:0][31:0]    args;
  logic [sharp_pkg::NUM_OUTPUTS-1:0][31:0] results;

  axi_lite_control control (
      .clk, .rst,
      .awvalid(s_axi_control_AWVALID), .awready(s_axi_control_AWREADY),
      .awaddr (s_axi_control_AWADDR),
      .wvalid (s_axi_control_WVALID),  .wready (s_axi_control_WREADY),
      .wdata  (s_axi_control_WDATA),   .wstrb  (s_axi_control_WSTRB),
      .bvalid (s_axi_control_BVALID),  .bready (s_axi_control_BREADY),
      .bresp  (s_axi_control_BRESP),
      .arvalid(s_axi_control_ARVALID), .arready(s_axi_control_ARREADY),
      .araddr (s_axi_control_ARADDR),
      .rvalid (s_axi_control_RVALID),  .rready (s_axi_control_RREADY),
      .rdata  (s_axi_control_RDATA),   .rresp  (s_axi_control_RRESP),
      .interrupt,
      .ap_start, .args, .ap_idle, .ap_done, .results
  );

  logic        begin_op, busy, op_load_weights, op_load_bias, op_load_tables, op_run, mode, is_gru;
  logic        state_in, state_out;
  logic [14:0] gate_rows;
  logic [12:0] input_size, hidden_size, hidden_m1;
  logic [5:0]  batch_m1;
  logic [31:0] steps_m1, wx_base, wh_base, bias_base, load_base, load_count_m1;
  logic [2:0]  group_x, group_h;
  logic [5:0]  shift_x, shift_h;
  logic [10:0] chunks_x_m1, chunks_h_m1, beats_x_m1;
  logic [14:0] batches_x_m1, batches_h_m1;
  logic        load_complete, out_fifo_empty, early_tlast, missing_tlast, stream_waiting;
  logic        h_step_done, all_pushed, x_step_done, a_phase_done;
  logic        issue, wait_input, wait_dependency, ew_output_blocked;
  logic [6:0]  useful_rows;
  logic [12:0] useful_cols;

  operation_control #(
      .N(N), .K(K), .MAX_INPUT(MAX_INPUT), .MAX_HIDDEN(MAX_HIDDEN), .WDEPTH(WDEPTH),
      .BDEPTH(BDEPTH), .MAX_BATCH(MAX_BATCH)
  ) operation (
      .clk, .rst, .ap_start, .args, .ap_idle, .ap_done, .results,
      .begin_op, .busy, .op_load_weights, .op_load_bias, .op_load_tables, .op_run,
      .input_size, .hidden_size, .hidden_m1, .steps_m1, .batch_m1, .mode, .is_gru, .state_in, .state_out,
      .gate_rows, .group_x, .group_h, .shift_x,
      .shift_h, .wx_base, .wh_base, .bias_base, .load_base, .load_count_m1, .chunks_x_m1,
      .chunks_h_m1, .batches_x_m1, .batches_h_m1, .beats_x_m1,
      .load_complete, .all_pushed, .out_fifo_empty, .early_tlast, .missing_tlast,
      .stream_waiting, .issue, .issue_rows(useful_rows), .issue_cols(useful_cols),
      .wait_input, .wait_dependency, .ew_output_blocked
  );

  // ---- in_stream
  logic           weight_wr_en, bias_wr_en, bias_wr_half, table_wr_en, table_wr_tanh;
  logic           x_wr_en, x_wr_slot;
  logic [WAW-1:0] weight_wr_word;
  logic [SGW-1:0] weight_wr_seg;
  logic [BAW-1:0] bias_wr_unit;
  logic [9:0]     table_wr_addr;
  logic [10:0]    x_wr_beat;
  logic [63:0]    wr_data;
  logic           prefix, h_prefix, h_prefix_wr, state_prefix_wr;   // the initial state
  logic [11:0]    prefix_beat;
  logic [SBW-1:0] prefix_seq;

  stream_receiver #(.P(P), .WDEPTH(WDEPTH), .BDEPTH(BDEPTH), .MAX_BATCH(MAX_BATCH)) receiver (
      .clk, .begin_op, .busy, .op_load_weights, .op_load_bias, .op_load_tables, .op_run,
      .load_base, .load_count_m1, .steps_m1, .batch_m1, .beats_x_m1, .state_in, .is_gru,
      .hidden_m1, .a_phase_done,
      .tdata(in_stream_TDATA), .tvalid(in_stream_TVALID), .tready(in_stream_TREADY),
      .tlast(in_stream_TLAST),
      .weight_wr_en, .weight_wr_word, .weight_wr_seg, .bias_wr_en, .bias_wr_unit,
      .bias_wr_half, .table_wr_en, .table_wr_tanh, .table_wr_addr, .x_wr_en, .x_wr_slot,
      .x_wr_beat, .wr_data, .prefix, .h_prefix, .h_prefix_wr, .state_prefix_wr, .prefix_beat,
      .prefix_seq, .x_step_done, .load_complete, .early_tlast, .missing_tlast,
      .waiting(stream_waiting)
  );

  // ---- schedule and MAC datapath
  logic [WAW-1:0] word_addr;
  logic           phase_b, vec_zero, first_chunk, last_chunk;
  logic [SBW:0]   vec_slot, sum_slot;
  logic [10:0]    vec_word;
  logic [5:0]     vec_part;
  logic [2:0]     group;
  logic [14:0]    row_base;

  mac_scheduler #(.N(N), .K(K), .WDEPTH(WDEPTH), .MAX_BATCH(MAX_BATCH)) scheduler (
      .clk, .begin_op, .run(op_run), .mode, .state_in, .steps_m1, .batch_m1, .input_size,
      .hidden_size,
      .gate_rows,
      .group_x, .group_h, .wx_base, .wh_base, .chunks_x_m1, .chunks_h_m1, .batches_x_m1,
      .batches_h_m1, .x_step_done, .h_step_done,
      .issue, .word_addr, .phase_b, .vec_slot, .sum_slot, .vec_word, .vec_part, .vec_zero, .first_chunk,
      .last_chunk, .group, .row_base, .useful_rows, .useful_cols, .a_phase_done,
      .wait_input, .wait_dependency
  );

  logic [P*16-1:0] weights, lanes;
  weight_buffer #(.P(P), .K(K), .WDEPTH(WDEPTH), .URAM_TILES(WEIGHT_URAM_TILES)) weight_words (
      .clk, .wr_en(weight_wr_en), .wr_word(weight_wr_word), .wr_seg(weight_wr_seg),
      .wr_data, .rd_word(word_addr), .rd_data(weights)
  );

  logic [BEATS-1:0]       h_wr_en;
  logic [SBW:0]           h_wr_slot;
  logic [BEATS-1:0][10:0] h_wr_beat;
  logic [BEATS-1:0][63:0] h_wr_data;
  vector_broadcast #(
      .N(N), .K(K), .MAX_INPUT(MAX_INPUT), .MAX_HIDDEN(MAX_HIDDEN), .MAX_BATCH(MAX_BATCH),
      .H_PORTS(BEATS)
  ) vectors (
      .clk, .x_wr_en, .x_wr_slot, .x_wr_beat, .x_wr_data(wr_data),
      .h_wr_en, .h_wr_slot, .h_wr_beat, .h_wr_data,
      .h_prefix, .h_prefix_wr, .h_prefix_beat(prefix_beat[10:0]), .h_prefix_seq(prefix_seq),
      .rd_phase_b(phase_b), .rd_slot(vec_slot), .rd_word(vec_word), .rd_part(vec_part),
      .rd_group(group), .rd_zero(vec_zero), .lanes
  );

  logic mac_enable, mac_first;
  delay_line #(.WIDTH(2), .DELAY(1)) to_lanes (
      .clk, .rst, .in({issue, first_chunk}), .out({mac_enable, mac_first}));

  logic [P*48-1:0] acc;
  mac_array #(.N(N), .K(K)) macs (
      .clk, .weights, .values(lanes), .enable(mac_enable), .first(mac_first), .acc);

  logic [2:0] tree_group;
  delay_line #(.WIDTH(3), .DELAY(3)) to_tree (.clk, .rst, .in(group), .out(tree_group));

  logic [N*SUM_W-1:0] sums;
  reduction_tree #(.N(N), .K(K), .SUM_W(SUM_W)) tree (
      .clk, .acc, .group(tree_group), .sums);

  // the row-sum buffer takes a batch's tags two cycles before it writes the batch (at i + L_MAC - 1)
  logic        tag_valid, tag_phase_b;
  logic [SBW:0] tag_slot;
  logic [14:0] tag_row_base;
  logic [2:0]  tag_group;
  delay_line #(.WIDTH(21 + SBW), .DELAY(L_MAC - 3)) to_row_sums (
      .clk, .rst,
      .in ({issue && last_chunk, phase_b, sum_slot, row_base, group}),
      .out({tag_valid, tag_phase_b, tag_slot, tag_row_base, tag_group}));

  // ---- row sums and the elementwise unit
  logic               z_written;
  logic [SBW-1:0]     ew_z_slot;
  logic [SBW:0]       ew_xp_slot;
  logic [6:0]         z_delta;
  logic               z_all;
  logic [14:0]        ew_rd_row, ew_xp_row;
  logic [4*E*34-1:0]  rd_xp;
  logic [4*E*32-1:0]  rd_z;

  row_sum_buffer #(
      .N(N), .E(E), .MAX_HIDDEN(MAX_HIDDEN), .SUM_W(SUM_W), .MAX_BATCH(MAX_BATCH)
  ) row_sums (
      .clk, .rst, .sums, .tag_valid, .tag_phase_b, .tag_slot, .tag_row_base, .tag_group,
      .rows(gate_rows), .is_gru, .shift_x, .shift_h, .z_written, .z_delta, .z_all,
      .rd_row(ew_rd_row), .rd_slot(ew_z_slot), .xp_rd_row(ew_xp_row), .xp_rd_slot(ew_xp_slot),
      .rd_xp, .rd_z
  );

  logic [BEATS-1:0]       out_push, out_last;
  logic [BEATS-1:0][63:0] out_data;
  logic                   out_pop;
  elementwise_unit #(
      .E(E), .MAX_HIDDEN(MAX_HIDDEN), .BDEPTH(BDEPTH), .FIFO_DEPTH(FIFO_DEPTH),
      .MAX_BATCH(MAX_BATCH)
  ) elementwise (
      .clk, .rst, .begin_op, .run(op_run), .mode, .is_gru, .state_in, .state_out, .steps_m1,
      .batch_m1, .hidden_m1, .bias_base,
      .z_written, .z_delta, .z_all, .rd_row(ew_rd_row), .rd_slot(ew_z_slot), .xp_rd_row(ew_xp_row),
      .xp_rd_slot(ew_xp_slot), .rd_xp, .rd_z,
      .bias_wr_en, .bias_wr_unit, .bias_wr_half, .table_wr_en, .table_wr_tanh,
      .table_wr_addr, .wr_data, .prefix, .state_prefix_wr, .prefix_beat, .prefix_seq,
      .h_wr_en, .h_wr_slot, .h_wr_beat, .h_wr_data, .out_push, .out_data, .out_last,
      .out_pop, .h_step_done, .all_pushed, .output_blocked(ew_output_blocked)
  );

  output_fifo #(.DEPTH(FIFO_DEPTH), .PUSH(BEATS)) out_fifo (
      .clk, .rst, .push(out_push), .push_data(out_data), .push_last(out_last),
      .empty(out_fifo_empty), .pop(out_pop),
      .tdata(out_stream_TDATA), .tvalid(out_stream_TVALID), .tready(out_stream_TREADY),
      .tlast(out_stream_TLAST)
  );
  assign out_stream_TKEEP = 8'hff;
  assign out_stream_TSTRB = 8'hff;
endmodule
