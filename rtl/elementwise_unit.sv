// The elementwise unit: up to E hidden units per cycle, in order (§6), the integer formulas of §3
// for the cell of the RUN (cell = 0 LSTM, 1 GRU). Units read at cycle e (stage 0) are in the h
// buffer from e + L_EW = e + 12, for both cells:
//   e-1 read xp and bias (a cycle ahead: the units of cycle e are known at e-1)
//   e   read z (row-sum buffer; hp for the GRU) and the state (c_{t-1}, or h_{t-1} for the GRU);
//       sat32(xp + b), registered
//   e+1 table sample k and phi of z = sat32(sat32(xp + b) + z_h) for the gates i, f, g, o (r, u
//       for the GRU: its first two rows); the clamp makes the outer sat32 unnecessary here
//   e+2 .. e+4 the interpolated lookups (activation_lookup.sv)
//   e+5 .. e+11 the cell's own datapath: lstm_cell.sv, gru_cell.sv
//   e+11 h_t, packed by four for out_stream and the h buffer
// so no stage has more than a table read, or a product, or a few adds. Each of the E lanes has
// its own datapaths and table copies; the two cells share the tables, the state buffer (written
// at e+6 with c_t, or at e+11 with h_t) and the packing.
// Each cycle takes the next units whose Q rows (4 LSTM, 3 GRU) are written (mode 1) or all rows
// of the item (mode 0), at most E and of one item (p = t B + b, in order), and only while the
// output FIFO has room: a credit per free FIFO entry, taken when a beat-completing unit is read.
// Item p uses its sequence b's slots: xp 2b + t mod 2, z b, state b, h 2b + t mod 2. The
// phase B of later items may write their z slots while item p is read, so the z rows are
// counted per item: the items whose z is complete, and the rows written of the next one.
// Carried state (§8): with STATE_IN, in_stream's B initial states are written into the state
// buffer's slots a beat at a time and step 0 reads them instead of zero; with STATE_OUT, the B
// slots of the state buffer follow the last h beat on out_stream, sequence 0's first, a beat a
// cycle from the cycle after its last write (a credit each), TLAST on the very last beat: four h
// of a GRU a beat, two c of an LSTM (int32).
module elementwise_unit
#(
    parameter int E           = 1,
    parameter int MAX_HIDDEN  = 512,
    parameter int BDEPTH      = 1024,
    parameter int FIFO_DEPTH  = 8,
    parameter int MAX_BATCH   = 8,
    localparam int BEATS = (E + 2) / 4 + 1,   // out_stream beats a cycle's units can touch
    localparam int BAW = (BDEPTH > 1) ? $clog2(BDEPTH) : 1,
    localparam int HAW = (MAX_HIDDEN > 1) ? $clog2(MAX_HIDDEN) : 1,
    localparam int SBW = (MAX_BATCH > 1) ? $clog2(MAX_BATCH) : 1
) (
    input  logic        clk,
    input  logic        rst,
    input  logic        begin_op,
    input  logic        run,
    input  logic        mode,
    input  logic        is_gru,       // 0 LSTM, 1 GRU
    input  logic        state_in,     // step 0 reads the initial state, not zero
    input  logic        state_out,    // the final state follows h_{T-1}
    input  logic [31:0] steps_m1,     // T - 1
    input  logic [5:0]  batch_m1,     // B - 1
    input  logic [12:0] hidden_m1,    // H - 1
    input  logic [31:0] bias_base,

    input  logic        z_written,
    input  logic [6:0]  z_delta,      // with z_written: this many more rows are readable
    input  logic        z_all,        // with z_written: all rows of the item are
    output logic [14:0] rd_row,       // row Q j of the first unit j read (z) ...
    output logic [SBW-1:0] rd_slot,   // ... in z slot b
    output logic [14:0] xp_rd_row,    // the same for the next cycle's units (xp)
    output logic [SBW:0]   xp_rd_slot,
    input  logic [4*E*34-1:0] rd_xp,  // four slots a unit: the unit's gate rows (row_sum_buffer)
    input  logic [4*E*32-1:0] rd_z,

    input  logic           bias_wr_en,
    input  logic [BAW-1:0] bias_wr_unit,
    input  logic           bias_wr_half,
    input  logic           table_wr_en,
    input  logic           table_wr_tanh,
    input  logic [9:0]     table_wr_addr,
    input  logic [63:0]    wr_data,
    input  logic           prefix,           // a registered select: in_stream's initial state
    input  logic           state_prefix_wr,  // a beat of it for the state buffer
    input  logic [11:0]    prefix_beat,   // of the tensor: four h, or two c, a beat
    input  logic [SBW-1:0] prefix_seq,    // of sequence b

    // beats of four h, as sent on out_stream; the pushed beats are a prefix, in order
    output logic [BEATS-1:0]        h_wr_en,
    output logic [SBW:0]            h_wr_slot,
    output logic [BEATS-1:0][10:0]  h_wr_beat,
    output logic [BEATS-1:0][63:0]  h_wr_data,
    output logic [BEATS-1:0]        out_push,
    output logic [BEATS-1:0][63:0]  out_data,
    output logic [BEATS-1:0]        out_last,
    input  logic                    out_pop,

    output logic        h_step_done,  // the h of an item is complete (a pulse)
    output logic        all_pushed,   // every beat of the RUN (h, and the final state) is in the FIFO
    output logic        output_blocked
);
  localparam int CW = $clog2(FIFO_DEPTH) + 1;

  // ---- stage 0: which units, and may they go
  logic [31:0] t;            // the item's step ...
  logic [5:0]  seq;          // ... and sequence
  logic        t_last, seq_last, all_taken;   // t = T - 1, b = B - 1; every unit was taken
  logic [12:0] j;
  // registered flags and small counters, so that the choice of units holds no wide compare
  logic        fresh;       // the first cycle of an operation
  logic [14:0] row;         // Q j: the first row of unit j
  logic [14:0] ahead;       // rows from Q j on that are in the z buffer (mode 1, z_items = 0)
  logic [6:0]  z_items;     // items from this one on whose z rows are all written (0..B)
  logic [14:0] wr_rows;     // rows written of the first item whose z is not complete
  logic        item_rows;   // all Q H rows of the item are in the z buffer
  logic [12:0] left;        // H - 1 - j: units of the item after j
  logic [CW-1:0] credit, beats_taken;
  logic [E-1:0]  take;
  logic [12:0]   taken;
  logic [4:0]    rows_taken;   // Q taken
  logic          step_end;
  logic          trailer, trailer_read;   // reading the final state's beats (STATE_OUT)
  logic          trailer_last, push_trailer, push_trailer_last;

  // the longest run of units from j whose rows are readable and whose beats have credit
  always_comb begin
    logic [1:0]  u;      // the low bits of unit j + k
    logic [4:0]  need;   // Q (k + 1): the rows from Q j that units j .. j + k take
    logic        ready, completes, go;
    go             = 1'b1;   // every earlier unit was taken
    take           = '0;
    taken          = '0;
    beats_taken    = '0;
    step_end       = 1'b0;
    output_blocked = 1'b0;
    for (int k = 0; k < E; k++) begin   // E <= 4: k fits two bits
      u         = j[1:0] + 2'(k);
      // unit j + k is in the step (j <= H - 1 always); its rows up to Q (j + k + 1) - 1
      // (mode 1), or all Q H rows (mode 0), are readable
      need      = is_gru ? 5'(3 * (k + 1)) : 5'(4 * (k + 1));
      ready     = run && !all_taken && (k == 0 || left[12:2] != 0 || left[1:0] >= 2'(k))
                  && (item_rows || mode && (ahead[14:5] != 0 || ahead[4:0] >= need));
      completes = u == 2'b11 || left == 13'(k);
      if (go && ready && beats_taken + CW'(completes) <= credit) begin
        take[k]     = 1'b1;
        taken       = taken + 13'd1;
        beats_taken = beats_taken + CW'(completes);
        if (left == 13'(k)) step_end = 1'b1;
      end else begin
        if (go && ready) output_blocked = 1'b1;
        go = 1'b0;
      end
    end
    rows_taken = is_gru ? 5'(3 * taken) : 5'(4 * taken);
  end

  assign t_last    = t == steps_m1;
  assign seq_last  = seq == batch_m1;
  assign item_rows = z_items != 0;

  // z writes come in item order: z_all ends an item's, and the next item's rows follow
  logic [14:0] wr_rows_next;
  assign wr_rows_next = !z_written ? wr_rows : z_all ? 15'd0 : wr_rows + 15'(z_delta);

  always_ff @(posedge clk) begin
    fresh <= begin_op;
    if (begin_op) begin
      t         <= '0;
      seq       <= '0;
      all_taken <= 1'b0;
      j         <= '0;
      row       <= '0;
      ahead     <= '0;
      z_items   <= '0;
      wr_rows   <= '0;
      credit    <= CW'(FIFO_DEPTH);
    end else begin
      credit  <= credit - beats_taken - CW'(trailer_read) + CW'(out_pop);
      z_items <= z_items + 7'(z_written && z_all) - 7'(step_end);
      wr_rows <= wr_rows_next;
      if (step_end) begin
        j         <= '0;
        row       <= '0;
        seq       <= seq_last ? 6'd0 : seq + 6'd1;
        if (seq_last) t <= t + 32'd1;
        all_taken <= t_last && seq_last;
        // the next item's rows so far, if its z is not complete (else ahead is not used)
        ahead     <= wr_rows_next;
      end else begin
        j     <= j + taken;
        row   <= row + 15'(rows_taken);
        ahead <= ahead + (z_written ? 15'(z_delta) : 15'd0) - 15'(rows_taken);
      end
    end
    // hidden_m1 is registered with the operation, so `left` starts in the cycle after (no unit
    // is readable before the first batch is written)
    if (fresh || step_end) left <= hidden_m1;
    else left <= left - taken;
  end

  // the next cycle's units, for the reads a cycle ahead (in the cycle of begin_op they are
  // stale, but nothing is taken in the cycle after)
  logic [BAW-1:0] bias_unit, bias_next;   // bias_base + j, and for the next cycle
  assign bias_next = (fresh || step_end) ? BAW'(bias_base) : bias_unit + BAW'(taken);
  always_ff @(posedge clk) bias_unit <= bias_next;

  assign rd_row     = row;
  assign rd_slot    = SBW'(seq);
  assign xp_rd_row  = step_end ? 15'd0 : row + 15'(rows_taken);
  // the next item after b = B - 1 is sequence 0's next step
  assign xp_rd_slot = !step_end ? {SBW'(seq), t[0]}
                    : seq_last ? {{SBW{1'b0}}, !t[0]} : {SBW'(seq + 6'd1), t[0]};

  logic [E-1:0][127:0] bias;
  bias_buffer #(.BDEPTH(BDEPTH), .E(E)) biases (
      .clk,
      .wr_en  (bias_wr_en),
      .wr_unit(bias_wr_unit),
      .wr_half(bias_wr_half),
      .wr_data,
      .rd_unit(bias_next),
      .rd_data(bias)
  );

  // the units' bookkeeping through the stages: lanes k read units unit[s] + k
  localparam int LAST = 11;   // L_EW - 1: the stage that packs h_t
  logic [LAST:1][E-1:0] valid;
  logic [LAST:1][12:0]  unit;
  logic [LAST:1]        zero_state, parity, last_item;
  logic [LAST:1][SBW-1:0] slot;   // the item's sequence b
  always_ff @(posedge clk) begin
    if (rst) valid <= '0;   // no unit read before a reset is written after it
    else valid <= {valid[LAST-1:1], take};
    unit[1]       <= j;
    zero_state[1] <= t == 0 && !state_in;
    slot[1]       <= SBW'(seq);
    parity[1]     <= t[0];
    last_item[1]  <= t_last && seq_last;
    for (int s = 2; s <= LAST; s++) begin
      unit[s]       <= unit[s-1];
      zero_state[s] <= zero_state[s-1];
      slot[s]       <= slot[s-1];
      parity[s]     <= parity[s-1];
      last_item[s]  <= last_item[s-1];
    end
  end

  // ---- the final states (STATE_OUT): from the cycle after the last item's last beat (and the
  // states' last writes), sequence by sequence, one beat of four units a cycle while a credit is
  // free, pushed the cycle after
  localparam int STW = ((MAX_HIDDEN / 4 > 1) ? $clog2(MAX_HIDDEN / 4) : 1) + 1;
  logic [11:0]    trailer_beat;
  logic [5:0]     trailer_seq;
  logic           seq_end;                   // the last beat of a sequence's state
  logic [3:0]     trailer_keep, push_keep;   // elements below H: that beat is zero padded
  logic [63:0]    state_beat;
  assign trailer_read = trailer && credit != 0;
  assign seq_end      = is_gru ? trailer_beat == 12'(hidden_m1[12:2])
                               : trailer_beat == hidden_m1[12:1];
  assign trailer_last = seq_end && trailer_seq == batch_m1;
  always_ff @(posedge clk) begin
    if (rst || begin_op) begin
      trailer      <= 1'b0;
      push_trailer <= 1'b0;
    end else begin
      if (h_step_done && last_item[LAST] && state_out) trailer <= 1'b1;
      else if (trailer_read && trailer_last) trailer <= 1'b0;
      push_trailer <= trailer_read;
    end
    if (!trailer) begin
      trailer_beat <= '0;
      trailer_seq  <= '0;
    end else if (trailer_read) begin
      trailer_beat <= seq_end ? 12'd0 : trailer_beat + 12'd1;
      if (seq_end) trailer_seq <= trailer_seq + 6'd1;
    end
    push_trailer_last <= trailer_last;
    for (int k = 0; k < 4; k++) push_keep[k] <= trailer_keep[k];
  end
  // a GRU's beat: h elements k < 4; an LSTM's: c elements k < 2, each two 16-bit halves
  always_comb
    for (int k = 0; k < 4; k++)
      trailer_keep[k] = !seq_end || (is_gru ? 2'(k) <= hidden_m1[1:0]
                                            : 1'(k / 2) <= hidden_m1[0]);

  // the state buffer: c_{t-1} of the LSTM (written at stage 3) or h_{t-1} of the GRU (stage 5),
  // or the initial state from in_stream; step 0 reads zero without STATE_IN, so no state of an
  // earlier RUN, of either cell, is ever used
  logic [E-1:0][24:0] state_raw, c_new, h_wide;
  logic [E-1:0][15:0] h, lstm_h, gru_h;
  // the slot of the port's user: an initial state's sequence, or the writing stage's item;
  // the final state's sequence, or the item of stage 0 (prefix and trailer are registered)
  state_buffer #(.DEPTH(MAX_HIDDEN), .E(E), .MAX_BATCH(MAX_BATCH)) state (
      .clk,
      .wide        (!is_gru),
      .wr_en       (is_gru ? valid[LAST] : valid[6]),
      .wr_slot     (prefix ? prefix_seq : is_gru ? slot[LAST] : slot[6]),
      .wr_first    (HAW'(is_gru ? unit[LAST] : unit[6])),
      .wr_data     (is_gru ? h_wide : c_new),
      .rd_first    (j[HAW-1:0]),
      .rd_slot     (trailer ? SBW'(trailer_seq) : SBW'(seq)),
      .rd_data     (state_raw),
      .beat_wr_sel (prefix),
      .beat_wr_en  (state_prefix_wr),
      .beat_wr     (STW'(prefix_beat)),
      .beat_wr_data(wr_data),
      .beat_rd_sel (trailer),
      .beat_rd     (STW'(trailer_beat)),
      .beat_rd_data(state_beat)
  );

  // The lookup's k and phi (sharp_pkg::z_lookup) of z = sat32(xp + b) + z_h come from
  // z + 2^20 (the clamp makes the outer sat32 unnecessary). Stage 0 forms xp + b + 2^20 and
  // whether xp + b saturates; stage 1 adds z_h to it and, side by side, to the two saturated
  // values, and selects: one carry chain after the z read.
  localparam logic signed [35:0] OFFSET = 36'sd1048576, SAT_HI = 36'sd2147483647 + OFFSET,
                                 SAT_LO = -36'sd2147483648 + OFFSET;

  for (genvar k = 0; k < E; k++) begin : lane
    // ---- stage 1: the lookups of z = sat32(sat32(xp + b) + z_h), slots 0..3: the LSTM's
    // i, f, g, o; the GRU's r, u (and the n row's xp + b, which gru_cell finishes)
    // flat vectors: Yosys cannot size 2-D arrays declared in a generate block
    logic [4*12-1:0]    index, index_next;
    logic [4*13-1:0]    phi;
    logic signed [35:0] n_xpb_offset;        // the n row's (slot 2) stage-0 registers
    logic               n_sat_hi, n_sat_lo;
    logic signed [24:0] state_prev, state3, state4, state5;   // c_{t-1} or h_{t-1}, at stages 2 .. 5
    logic signed [31:0] b_hn;
    for (genvar q = 0; q < 4; q++) begin : gate_index
      logic signed [34:0] xpb;
      logic signed [35:0] xpb_offset, xpb_offset_next;
      logic signed [37:0] zh, plain, high, low;   // z + 2^20 for the three cases ...
      logic [11:0]        plain_next, high_next, low_next;   // ... and 2^9 more: k + 1
      logic [24:0]        plain_k, high_k, low_k;
      logic               sat_hi, sat_lo;
      // stage 0
      assign xpb = 35'($signed(rd_xp[34*(4*k+q) +: 34])) + 35'($signed(bias[k][32*q +: 32]));
      always_ff @(posedge clk) begin
        xpb_offset      <= 36'(xpb) + OFFSET;
        xpb_offset_next <= 36'(xpb) + OFFSET + 36'sd512;
        sat_hi     <= !xpb[34] && xpb[33:31] != 3'b000;   // xp + b > 2^31 - 1
        sat_lo     <= xpb[34] && xpb[33:31] != 3'b111;    // xp + b < -2^31
      end
      // stage 1
      assign zh    = 38'($signed(rd_z[32*(4*k+q) +: 32]));
      assign plain = 38'(xpb_offset) + zh;
      assign high  = 38'(SAT_HI) + zh;
      assign low   = 38'(SAT_LO) + zh;
      assign plain_next = 12'((38'(xpb_offset_next) + zh) >>> 9);
      assign high_next  = 12'((38'(SAT_HI) + 38'sd512 + zh) >>> 9);
      assign low_next   = 12'((38'(SAT_LO) + 38'sd512 + zh) >>> 9);
      // each case clamped beside the others, then one select
      assign plain_k = sharp_pkg::z_lookup(plain);
      assign high_k  = sharp_pkg::z_lookup(high);
      assign low_k   = sharp_pkg::z_lookup(low);
      assign {index[12*q +: 12], phi[13*q +: 13]} = sat_hi ? high_k : sat_lo ? low_k : plain_k;
      assign index_next[12*q +: 12] = sat_hi ? high_next : sat_lo ? low_next : plain_next;
      if (q == 2) begin : n_row
        assign n_xpb_offset = xpb_offset;
        assign n_sat_hi     = sat_hi;
        assign n_sat_lo     = sat_lo;
      end
    end
    always_ff @(posedge clk) begin
      state_prev    <= zero_state[1] ? 25'sd0 : state_raw[k];
      state3        <= state_prev;
      state4        <= state3;
      state5        <= state4;
      b_hn          <= bias[k][96 +: 32];   // the GRU's fourth bias slot, at stage 1
    end

    logic [3*16-1:0]  sig_value;    // i, f, o (r, u for the GRU), at stage 5
    logic [2*16-1:0]  tanh_value;   // g at stage 5; tanh(c), or n for the GRU, at stage 10
    logic [11:0]      c_index, n_index, c_next, n_next;
    logic [12:0]      c_phi, n_phi;
    activation_tables tables (
        .clk,
        .wr_en     (table_wr_en),
        .wr_tanh   (table_wr_tanh),
        .wr_addr   (table_wr_addr),
        .wr_data,
        .sig_index ({index[36 +: 12], index[12 +: 12], index[0 +: 12]}),   // o, f, i
        .sig_next  ({index_next[36 +: 12], index_next[12 +: 12], index_next[0 +: 12]}),
        .sig_phi   ({phi[39 +: 13], phi[13 +: 13], phi[0 +: 13]}),
        .tanh_index({is_gru ? n_index : c_index, index[24 +: 12]}),         // c or n, g
        .tanh_next ({is_gru ? n_next : c_next, index_next[24 +: 12]}),
        .tanh_phi  ({is_gru ? n_phi : c_phi, phi[26 +: 13]}),
        .sig_value,
        .tanh_value
    );

    lstm_cell lstm (
        .clk,
        .gate_i (sig_value[0 +: 16]),
        .gate_f (sig_value[16 +: 16]),
        .gate_g (tanh_value[0 +: 16]),
        .gate_o (sig_value[32 +: 16]),
        .c_prev (state5),
        .c_new  (c_new[k]),
        .c_index,
        .c_next,
        .c_phi,
        .tanh_c (tanh_value[16 +: 16]),
        .h      (lstm_h[k])
    );

    gru_cell gru (
        .clk,
        .xpb_offset(n_xpb_offset),
        .sat_hi    (n_sat_hi),
        .sat_lo    (n_sat_lo),
        .hp_n      (rd_z[32*(4*k+2) +: 32]),
        .b_hn,
        .gate_r    (sig_value[0 +: 16]),
        .gate_u    (sig_value[16 +: 16]),
        .h_prev    (state5),
        .n_index,
        .n_next,
        .n_phi,
        .gate_n    (tanh_value[16 +: 16]),
        .h         (gru_h[k])
    );

    assign h[k]      = is_gru ? gru_h[k] : lstm_h[k];
    assign h_wide[k] = 25'($signed(h[k]));
  end

  // ---- pack four h per beat, zero padded: lane k is element (unit mod 4) + k of the beats
  // from unit / 4 on; a beat is complete with its fourth element or the step's last unit.
  // A final state's beat takes port 0 when no h is packed; it enters below the h's muxes.
  logic [63:0] pack, pack_next, trailer_data;
  logic [BEATS-1:0][63:0] beat;
  logic [BEATS-1:0]       touched, complete, has_last;
  always_comb
    for (int k = 0; k < 4; k++)
      trailer_data[16*k +: 16] = push_keep[k] ? state_beat[16*k +: 16] : 16'd0;
  always_comb begin
    logic [12:0] u;
    pack_next = pack;
    for (int s = 0; s < BEATS; s++) begin
      beat[s]     = (s == 0 && push_trailer) ? trailer_data
                  : (s == 0 && unit[LAST][1:0] != 2'b00) ? pack : 64'd0;
      touched[s]  = 1'b0;
      complete[s] = 1'b0;
      has_last[s] = 1'b0;
      for (int k = 0; k < E; k++) begin
        u = unit[LAST] + 13'(k);
        for (int q = 0; q < 4; q++)
          if (valid[LAST][k] && 32'(unit[LAST][1:0]) + k == 4 * s + q) begin
            beat[s][16*q +: 16] = h[k];
            touched[s] = 1'b1;
            if (q == 3 || u == hidden_m1) complete[s] = 1'b1;
            if (u == hidden_m1) has_last[s] = 1'b1;
          end
      end
      if (touched[s]) pack_next = beat[s];
    end
  end
  always_ff @(posedge clk) pack <= pack_next;

  for (genvar s = 0; s < BEATS; s++) begin : beat_out
    assign out_push[s]  = complete[s] || (s == 0 && push_trailer);
    assign out_data[s]  = beat[s];
    // TLAST on the RUN's last beat: the last item's h, or the last final state's
    assign out_last[s]  = s == 0 && push_trailer ? push_trailer_last
                        : has_last[s] && last_item[LAST] && !state_out;
    assign h_wr_en[s]   = complete[s];
    assign h_wr_beat[s] = 11'((unit[LAST] >> 2) + 13'(s));
    assign h_wr_data[s] = beat[s];
  end
  assign h_wr_slot = {slot[LAST], parity[LAST]};

  assign h_step_done = |has_last;
  always_ff @(posedge clk) begin
    if (begin_op) all_pushed <= 1'b0;
    else if (state_out ? push_trailer && push_trailer_last : h_step_done && last_item[LAST])
      all_pushed <= 1'b1;
  end
endmodule
