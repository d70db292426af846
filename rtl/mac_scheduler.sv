// The schedule of docs/ARCHITECTURE.md §6: at most one weight word per cycle, phases in the
// order A_0, B_0, A_1, B_1, ..., words of a phase in address order (batch-major, chunk-minor).
// Only the first word of a phase waits:
//   A_t waits for x_t, and in mode 0 also for h_{t-1} (the dependency is counted first);
//   B_t waits, in mode 1, for h_{t-1}.
module mac_scheduler #(
    parameter int N = 8,
    parameter int K = 16,
    parameter int WDEPTH = 8192,
    localparam int WAW  = (WDEPTH > 1) ? $clog2(WDEPTH) : 1
) (
    input  logic        clk,
    input  logic        begin_op,
    input  logic        run,            // a RUN is in progress
    input  logic        mode,
    input  logic        state_in,       // h_{-1} came on in_stream (else B_0 multiplies zero)
    input  logic [31:0] steps_m1,       // T - 1
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
    input  logic        x_step_done,    // x_t has arrived (a pulse)
    input  logic        h_step_done,    // h_t is complete (a pulse)

    output logic           issue,
    output logic [WAW-1:0] word_addr,
    output logic           phase_b,      // 0: W_x.x_t (A), 1: W_h.h_{t-1} (B)
    output logic           vec_slot,     // x slot t mod 2, or h slot (t-1) mod 2
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
  logic [10:0] chunk;
  logic [10:0] word;   // chunk / G: the vector word holding the chunk ...
  logic [5:0]  part;   // ... and chunk mod G, its part: counted beside chunk
  logic [14:0] batch;
  logic [14:0] rows;   // row_base
  logic [12:0] cols;   // first column of the chunk
  logic [31:0] addr;

  logic [10:0] chunks_m1;
  logic [14:0] batches_m1;
  logic [6:0]  parallel;   // G = N >> group
  logic [12:0] width;      // w = K << group
  logic [12:0] length;     // L
  logic        first_word, x_ready, h_ready, last_batch, phase_end, t_last;
  // x_t - t steps have arrived ahead of the scheduler (0..2: x_t waits for its slot), and t
  // steps less 0 or 1 of h are complete: small counters instead of 32-bit compares
  logic [1:0]  x_ahead, h_behind;

  assign chunks_m1  = in_b ? chunks_h_m1 : chunks_x_m1;
  assign batches_m1 = in_b ? batches_h_m1 : batches_x_m1;
  assign group      = in_b ? group_h : group_x;
  assign parallel   = 7'(N) >> group;
  assign width      = 13'(K) << group;
  assign length     = in_b ? hidden_size : input_size;
  assign first_word = chunk == 0 && batch == 0;
  assign x_ready    = x_ahead != 0;
  assign h_ready    = h_behind == 0;   // h_{t-1} is complete
  assign last_batch = batch == batches_m1;
  assign t_last     = t == steps_m1;
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
  assign vec_slot    = in_b ? !t[0] : t[0];
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
      batch         <= '0;
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
          batch <= batch + 15'd1;
          rows  <= rows + 15'(parallel);
        end else begin
          batch <= '0;
          rows  <= '0;
          in_b  <= !in_b;
          if (!in_b) begin
            addr <= wh_base;
          end else begin
            t    <= t + 32'd1;
            addr <= wx_base;
            if (t_last) all_issued <= 1'b1;
          end
        end
      end
    end
  end

  logic t_inc;
  assign t_inc = phase_end && in_b;
  always_ff @(posedge clk) begin
    if (begin_op) begin
      x_ahead  <= '0;
      h_behind <= '0;
    end else begin
      x_ahead  <= x_ahead + 2'(x_step_done) - 2'(t_inc);
      h_behind <= h_behind + 2'(t_inc) - 2'(h_step_done);
    end
  end
endmodule
