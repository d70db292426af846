// The schedule of docs/ARCHITECTURE.md §6: at most one weight word per cycle, the items
// p = t B + b (step t of sequence b) in order, each as its phase A then its phase B, words of a
// phase in address order (batch-major, chunk-minor). Only the first word of a phase waits:
//   A_p waits for its x, and in mode 0 also for the h of item p - 1 (the dependency first);
//   B_p waits, in mode 1, for the h of item p - B (its own sequence's previous step).
module mac_scheduler #(
    parameter int N = 8,
    parameter int K = 16,
    parameter int WDEPTH = 8192,
    parameter int MAX_BATCH = 8,
    localparam int WAW  = (WDEPTH > 1) ? $clog2(WDEPTH) : 1,
    localparam int SBW  = (MAX_BATCH > 1) ? $clog2(MAX_BATCH) : 1   // a sequence's slot
) (
    input  logic        clk,
    input  logic        begin_op,
    input  logic        run,            // a RUN is in progress
    input  logic        mode,
    input  logic        state_in,       // h_{-1} came on in_stream (else B_0 multiplies zero)
    input  logic [31:0] steps_m1,       // T - 1
    input  logic [5:0]  batch_m1,       // B - 1
    input  logic [12:0] input_size,
    input  logic [12:0] hidden_size,
    input  logic [14:0] gate_rows,      // R = Q H
    input  logic [2:0]  group_x,
    input  logic [2:0]  group_h,
    input  logic [31:0] wx_base,
    input  logic [31:0] wh_base,
    input  logic [10:0] chunks_x_m1,    // C - 1
    input  logic [10:0] chunks_h_m1,
    input  logic [14:0] batches_x_m1,   // RB - 1
    input  logic [14:0] batches_h_m1,
    input  logic        x_step_done,    // the x of an item has arrived (a pulse)
    input  logic        h_step_done,    // the h of an item is complete (a pulse)

    output logic           issue,
    output logic [WAW-1:0] word_addr,
    output logic           phase_b,      // 0: W_x.x_t (A), 1: W_h.h_{t-1} (B)
    output logic [SBW:0]   vec_slot,     // x slot p mod 2, or h slot 2b + (t-1) mod 2
    output logic [SBW:0]   sum_slot,     // xp slot 2b + t mod 2 (A), or z slot b (B)
    output logic [10:0]    vec_word,     // vector word (P elements) holding the chunk
    output logic [5:0]     vec_part,     // which w-element part of that word
    output logic           vec_zero,     // B_0 multiplies h_{-1} = 0 (without STATE_IN)
    output logic           first_chunk,
    output logic           last_chunk,
    output logic [2:0]     group,
    output logic [14:0]    row_base,     // first row of the batch
    output logic [6:0]     useful_rows,  // rows of the batch below R
    output logic [12:0]    useful_cols,  // columns of the chunk below L
    output logic           a_phase_done,  // the last word of an A phase is issued (a pulse)
    output logic           wait_input,
    output logic           wait_dependency
);
  logic        started, all_issued, in_b;
  logic [31:0] t;
  logic [5:0]  seq;      // b of the item
  logic        parity;   // p mod 2: the item's x slot
  logic [10:0] chunk;
  logic [10:0] word;   // chunk / G: the vector word holding the chunk ...
  logic [5:0]  part;   // ... and chunk mod G, its part: counted beside chunk
  logic [14:0] row_batch;
  logic [14:0] rows;   // row_base
  logic [12:0] cols;   // first column of the chunk
  logic [31:0] addr;

  logic [10:0] chunks_m1;
  logic [14:0] batches_m1;
  logic [6:0]  parallel;   // G = N >> group
  logic [12:0] width;      // w = K << group
  logic [12:0] length;     // L
  logic        first_word, x_ready, h_ready, last_batch, phase_end, t_last, seq_last;
  // the x of 0..2 items have arrived ahead of the scheduler (an x waits for its slot), and
  // h_behind items (0..B) have their phase B issued but their h not complete: small counters
  // instead of 32-bit compares
  logic [1:0]  x_ahead;
  logic [6:0]  h_behind;
  logic [6:0]  batch;      // B, registered: h_behind's bound in mode 1
  always_ff @(posedge clk) batch <= 7'(batch_m1) + 7'd1;

  assign chunks_m1  = in_b ? chunks_h_m1 : chunks_x_m1;
  assign batches_m1 = in_b ? batches_h_m1 : batches_x_m1;
  assign group      = in_b ? group_h : group_x;
  assign parallel   = 7'(N) >> group;
  assign width      = 13'(K) << group;
  assign length     = in_b ? hidden_size : input_size;
  assign first_word = chunk == 0 && row_batch == 0;
  assign x_ready    = x_ahead != 0;
  // mode 0: the previous item's h is complete; mode 1: fewer than B items are pending, so the
  // one B items back (this sequence's previous step; the pending items are the latest) is done
  assign h_ready    = mode ? h_behind != batch : h_behind == 0;
  assign last_batch = row_batch == batches_m1;
  assign t_last     = t == steps_m1;
  assign seq_last   = seq == batch_m1;
  assign phase_end  = issue && last_chunk && last_batch;   // the phase's last word
  assign a_phase_done = phase_end && !in_b;

  always_comb begin
    issue           = 1'b0;
    wait_input      = 1'b0;
    wait_dependency = 1'b0;
    if (run && started && !all_issued) begin
      if (!first_word) issue = 1'b1;
      else if (!in_b) begin
        wait_dependency = !mode && !h_ready;
        wait_input      = !wait_dependency && !x_ready;
        issue           = !wait_dependency && !wait_input;
      end else begin
        wait_dependency = mode && !h_ready;
        issue           = !wait_dependency;
      end
    end
  end

  logic [14:0] rows_left;
  logic [12:0] cols_left;
  assign rows_left = gate_rows - rows;
  assign cols_left = length - cols;

  assign word_addr   = addr[WAW-1:0];
  assign phase_b     = in_b;
  assign vec_slot    = in_b ? {SBW'(seq), !t[0]} : {{SBW{1'b0}}, parity};
  assign sum_slot    = in_b ? {1'b0, SBW'(seq)} : {SBW'(seq), t[0]};
  assign vec_word    = word;
  assign vec_part    = part;
  assign vec_zero    = in_b && t == 0 && !state_in;
  assign first_chunk = chunk == 0;
  assign last_chunk  = chunk == chunks_m1;
  assign row_base    = rows;
  assign useful_rows = rows_left < 15'(parallel) ? rows_left[6:0] : parallel;
  assign useful_cols = cols_left < width ? cols_left : width;

  always_ff @(posedge clk) begin
    if (begin_op) begin
      started       <= 1'b0;
      all_issued    <= 1'b0;
      in_b          <= 1'b0;
      t             <= '0;
      chunk         <= '0;
      word          <= '0;
      part          <= '0;
      row_batch     <= '0;
      seq           <= '0;
      parity        <= 1'b0;
      rows          <= '0;
      cols          <= '0;
    end else if (run && !started) begin
      started <= 1'b1;
      addr    <= wx_base;
    end else if (issue) begin
      addr <= addr + 32'd1;
      if (!last_chunk) begin
        chunk <= chunk + 11'd1;
        cols  <= cols + width;
        if (part == 6'(parallel - 7'd1)) begin
          part <= '0;
          word <= word + 11'd1;
        end else begin
          part <= part + 6'd1;
        end
      end else begin
        chunk <= '0;
        word  <= '0;
        part  <= '0;
        cols  <= '0;
        if (!last_batch) begin
          row_batch <= row_batch + 15'd1;
          rows  <= rows + 15'(parallel);
        end else begin
          row_batch <= '0;
          rows      <= '0;
          in_b      <= !in_b;
          if (!in_b) begin
            addr <= wh_base;
          end else begin   // the next item
            addr   <= wx_base;
            parity <= !parity;
            seq    <= seq_last ? 6'd0 : seq + 6'd1;
            if (seq_last) t <= t + 32'd1;
            if (t_last && seq_last) all_issued <= 1'b1;
          end
        end
      end
    end
  end

  logic item_end;
  assign item_end = phase_end && in_b;
  always_ff @(posedge clk) begin
    if (begin_op) begin
      x_ahead  <= '0;
      h_behind <= '0;
    end else begin
      x_ahead  <= x_ahead + 2'(x_step_done) - 2'(item_end);
      h_behind <= h_behind + 7'(item_end) - 7'(h_step_done);
    end
  end
endmodule
