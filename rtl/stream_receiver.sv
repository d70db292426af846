// in_stream: counts the beats of the operation, routes them to the weight, bias, table and x
// buffers (docs/ARCHITECTURE.md §8) and checks TLAST. A RUN's x come item by item (p = t B + b)
// and each waits for its slot: item p's x overwrites item p - 2's, so its beats are taken only
// once A_{p-2} has been issued.
// With STATE_IN a RUN's stream starts with the B initial states (§8, "Carried state"), sequence
// 0's first: ceil(H/4) beats of h_{-1}, then for the LSTM ceil(H/2) of c_{-1} (two int32 a beat),
// routed to the sequence's slots of the h buffer and the state buffer; its beats are taken like
// x beats, one a cycle, before the first x.
module stream_receiver #(
    parameter int P      = 128,
    parameter int WDEPTH = 8192,
    parameter int BDEPTH = 1024,
    parameter int MAX_BATCH = 8,
    localparam int WAW   = (WDEPTH > 1) ? $clog2(WDEPTH) : 1,
    localparam int BAW   = (BDEPTH > 1) ? $clog2(BDEPTH) : 1,
    localparam int SEGS  = P / 4,                  // beats per weight word
    localparam int SGW   = (SEGS > 1) ? $clog2(SEGS) : 1,
    localparam int SBW   = (MAX_BATCH > 1) ? $clog2(MAX_BATCH) : 1
) (
    input  logic        clk,
    input  logic        begin_op,
    input  logic        busy,
    input  logic        op_load_weights,
    input  logic        op_load_bias,
    input  logic        op_load_tables,
    input  logic        op_run,
    input  logic [31:0] load_base,
    input  logic [31:0] load_count_m1,
    input  logic [31:0] steps_m1,
    input  logic [5:0]  batch_m1,        // B - 1
    input  logic [10:0] beats_x_m1,      // beats of x_t, less one
    input  logic        state_in,        // the RUN starts with the initial state
    input  logic        is_gru,          // the initial state is h only (else h, then c)
    /* verilator lint_off UNUSEDSIGNAL */   // bit 0: the last beats are (H - 1) >> 1 and >> 2
    input  logic [12:0] hidden_m1,       // H - 1: h_{-1} has ceil(H/4) beats, c_{-1} ceil(H/2)
    /* verilator lint_on UNUSEDSIGNAL */
    input  logic        a_phase_done,    // the last word of an A phase was issued (a pulse)

    input  logic [63:0] tdata,
    input  logic        tvalid,
    output logic        tready,
    input  logic        tlast,

    output logic            weight_wr_en,
    output logic [WAW-1:0]  weight_wr_word,
    output logic [SGW-1:0]  weight_wr_seg,
    output logic            bias_wr_en,
    output logic [BAW-1:0]  bias_wr_unit,
    output logic            bias_wr_half,
    output logic            table_wr_en,
    output logic            table_wr_tanh,
    output logic [9:0]      table_wr_addr,
    output logic            x_wr_en,
    output logic            x_wr_slot,
    output logic [10:0]     x_wr_beat,       // beat of x_t: elements 4k .. 4k+3
    output logic [63:0]     wr_data,
    output logic            prefix,          // the initial state's beats are being taken
    output logic            h_prefix,        // ... those of h_{-1}
    output logic            h_prefix_wr,     // an h_{-1} beat (for the h buffer)
    output logic            state_prefix_wr, // a state-buffer beat: c_{-1} (LSTM), h_{-1} (GRU)
    output logic [11:0]     prefix_beat,     // of the tensor: h 4k .. 4k+3, or c 2k, 2k+1
    output logic [SBW-1:0]  prefix_seq,      // of sequence b

    output logic        x_step_done,       // the last beat of an x_t was taken (a pulse)
    output logic        load_complete,
    output logic        early_tlast,       // one-cycle pulses on the offending beat
    output logic        missing_tlast,
    output logic        waiting             // a load waits for a beat
);
  logic [31:0] item;  // word, unit, table beat or time step
  logic [5:0]  seq;   // a RUN's x: the sequence b of item t B + b (item counts t)
  logic        parity;   // the item's x slot
  logic [5:0]  state_seq;   // the initial state's sequence
  logic [10:0] sub;   // beat within the item
  logic        complete, slot_free, accept, last_sub, last_item;
  logic [1:0]  free_slots;   // x slots not holding an x_t whose A_t is still to be issued
  logic        prefix_done, c_part, last_prefix_beat, take_x, seq_last, state_seq_last;

  // x_t may overwrite slot t mod 2 once A_{t-2} is issued
  assign slot_free = free_slots != 0;
  assign tready = busy && !complete
                  && (op_load_weights || op_load_bias || op_load_tables || (op_run && slot_free));
  assign accept = tvalid && tready;

  // the initial state: flags registered, so that they select the buffers' write ports
  assign prefix   = state_in && !prefix_done;
  assign h_prefix = prefix && !c_part;
  assign last_prefix_beat = c_part ? prefix_beat == hidden_m1[12:1]
                                   : prefix_beat == 12'(hidden_m1[12:2]);
  assign state_seq_last = state_seq == batch_m1;
  always_ff @(posedge clk) begin
    if (begin_op) begin
      prefix_done <= 1'b0;
      c_part      <= 1'b0;
      prefix_beat <= '0;
      state_seq   <= '0;
    end else if (accept && prefix) begin
      prefix_beat <= last_prefix_beat ? 12'd0 : prefix_beat + 12'd1;
      if (last_prefix_beat) begin
        c_part <= !is_gru && !c_part;
        if (is_gru || c_part) begin   // the sequence's state is complete
          state_seq <= state_seq + 6'd1;
          if (state_seq_last) prefix_done <= 1'b1;
        end
      end
    end
  end
  assign prefix_seq      = SBW'(state_seq);
  assign h_prefix_wr     = accept && h_prefix;
  assign state_prefix_wr = accept && prefix && (is_gru || c_part);
  assign take_x          = accept && !prefix;   // every beat of a load; an x beat of a RUN

  always_comb begin
    last_sub  = 1'b1;
    last_item = 1'b0;
    if (op_load_weights) begin
      last_sub  = sub == 11'(SEGS - 1);
      last_item = item == load_count_m1;
    end else if (op_load_bias) begin
      last_sub  = sub[0];
      last_item = item == load_count_m1;
    end else if (op_load_tables) begin
      last_item = item == 32'd2047;
    end else if (op_run) begin
      last_sub  = sub == beats_x_m1;
      last_item = item == steps_m1 && seq_last;
    end
  end

  always_ff @(posedge clk) begin
    if (begin_op) free_slots <= 2'd2;
    else free_slots <= free_slots - 2'(x_step_done) + 2'(a_phase_done);
  end

  assign seq_last = !op_run || seq == batch_m1;   // a LOAD's items have no sequences
  always_ff @(posedge clk) begin
    if (begin_op) begin
      item     <= '0;
      seq      <= '0;
      parity   <= 1'b0;
      sub      <= '0;
      complete <= 1'b0;
    end else if (take_x) begin
      if (last_sub) begin
        sub    <= '0;
        parity <= !parity;
        seq    <= seq_last ? 6'd0 : seq + 6'd1;
        if (seq_last) item <= item + 32'd1;
        if (last_item) complete <= 1'b1;
      end else begin
        sub <= sub + 11'd1;
      end
    end
  end

  assign early_tlast   = accept && tlast && !(take_x && last_sub && last_item);
  assign missing_tlast = take_x && !tlast && last_sub && last_item;
  assign load_complete = complete;
  assign waiting       = tready && !tvalid && !op_run;
  assign x_step_done   = take_x && op_run && last_sub;

  assign wr_data        = tdata;
  assign weight_wr_en   = accept && op_load_weights;
  assign weight_wr_word = WAW'(load_base) + WAW'(item);
  assign weight_wr_seg  = sub[SGW-1:0];
  assign bias_wr_en     = accept && op_load_bias;
  assign bias_wr_unit   = BAW'(load_base) + BAW'(item);
  assign bias_wr_half   = sub[0];
  assign table_wr_en    = accept && op_load_tables;
  assign table_wr_tanh  = item[10];
  assign table_wr_addr  = item[9:0];
  assign x_wr_en        = take_x && op_run;
  assign x_wr_slot      = parity;
  assign x_wr_beat      = sub;
endmodule
