// The elementwise unit: up to E hidden units per cycle, in order (§6), the integer formulas of §3.
// Units read at cycle e (stage 0) are in the h buffer from e + L_EW = e + 6:
//   e   read xp, z (row-sum buffer), bias, c_{t-1}
//   e+1 table indices of z = sat32(sat32(xp + b) + z_h); the clamp makes the outer sat32
//       unnecessary here
//   e+2 f*c and i*g
//   e+3 c_t = sat16(rnd(f c, 15) + rnd(i g, 19)), written back; index of tanh(c_t)
//   e+4 o*tanh(c_t)
//   e+5 h_t = sat16(rnd(o tanh(c_t), 15)), packed by four for out_stream and the h buffer
// so no stage has more than a table read and a product, or a few adds. Each of the E lanes has
// its own datapath and table copies.
// Each cycle takes the next units whose four rows are written (mode 1) or all rows of the step
// (mode 0), at most E, and only while the output FIFO has room: a credit per free FIFO entry,
// taken when a beat-completing unit is read.
module elementwise_unit
#(
    parameter int E           = 1,
    parameter int MAX_HIDDEN  = 512,
    parameter int BDEPTH      = 1024,
    parameter int FIFO_DEPTH  = 8,
    localparam int BEATS = (E + 2) / 4 + 1,   // out_stream beats a cycle's units can touch
    localparam int BAW = (BDEPTH > 1) ? $clog2(BDEPTH) : 1,
    localparam int HAW = (MAX_HIDDEN > 1) ? $clog2(MAX_HIDDEN) : 1
) (
    input  logic        clk,
    input  logic        rst,
    input  logic        begin_op,
    input  logic        run,
    input  logic        mode,
    input  logic [31:0] steps,
    input  logic [12:0] hidden_size,
    input  logic [31:0] bias_base,

    input  logic        z_written,
    input  logic [15:0] z_rows,
    output logic [12:0] rd_unit,      // the first of the units read
    output logic        rd_slot,
    input  logic [4*E*34-1:0] rd_xp,  // rows 4 rd_unit .. 4 rd_unit + 4E - 1
    input  logic [4*E*32-1:0] rd_z,

    input  logic           bias_wr_en,
    input  logic [BAW-1:0] bias_wr_unit,
    input  logic           bias_wr_half,
    input  logic           table_wr_en,
    input  logic           table_wr_tanh,
    input  logic [9:0]     table_wr_addr,
    input  logic [63:0]    wr_data,

    // beats of four h, as sent on out_stream; the pushed beats are a prefix, in order
    output logic [BEATS-1:0]        h_wr_en,
    output logic                    h_wr_slot,
    output logic [BEATS-1:0][10:0]  h_wr_beat,
    output logic [BEATS-1:0][63:0]  h_wr_data,
    output logic [BEATS-1:0]        out_push,
    output logic [BEATS-1:0][63:0]  out_data,
    output logic [BEATS-1:0]        out_last,
    input  logic                    out_pop,

    output logic [31:0] h_steps_done,
    output logic        output_blocked
);
  localparam int CW = $clog2(FIFO_DEPTH) + 1;

  // ---- stage 0: which units, and may they go
  logic [31:0] t;
  logic [12:0] j;
  logic [15:0] rows_ready;
  logic [CW-1:0] credit, beats_taken;
  logic [E-1:0]  take;
  logic [12:0]   taken;
  logic          step_end;

  // the longest run of units from j whose rows are readable and whose beats have credit
  always_comb begin
    logic [12:0] u;
    logic        ready, completes, go;
    go             = 1'b1;   // every earlier unit was taken
    take           = '0;
    taken          = '0;
    beats_taken    = '0;
    step_end       = 1'b0;
    output_blocked = 1'b0;
    for (int k = 0; k < E; k++) begin
      u         = j + 13'(k);
      ready     = run && t < steps && u < hidden_size
                  && (mode ? rows_ready >= 16'({u, 2'b00}) + 16'd4
                           : rows_ready >= 16'({hidden_size, 2'b00}));
      completes = u[1:0] == 2'b11 || u == hidden_size - 13'd1;
      if (go && ready && beats_taken + CW'(completes) <= credit) begin
        take[k]     = 1'b1;
        taken       = taken + 13'd1;
        beats_taken = beats_taken + CW'(completes);
        if (u == hidden_size - 13'd1) step_end = 1'b1;
      end else begin
        if (go && ready) output_blocked = 1'b1;
        go = 1'b0;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (begin_op) begin
      t          <= '0;
      j          <= '0;
      rows_ready <= '0;
      credit     <= CW'(FIFO_DEPTH);
    end else begin
      credit <= credit - beats_taken + CW'(out_pop);
      if (step_end) begin
        j          <= '0;
        t          <= t + 32'd1;
        rows_ready <= '0;   // B_{t+1} cannot write before h_t is complete
      end else begin
        j <= j + taken;
        if (z_written) rows_ready <= z_rows;
      end
    end
  end

  assign rd_unit = j;
  assign rd_slot = t[0];

  logic [E-1:0][127:0] bias;
  bias_buffer #(.BDEPTH(BDEPTH), .E(E)) biases (
      .clk,
      .wr_en  (bias_wr_en),
      .wr_unit(bias_wr_unit),
      .wr_half(bias_wr_half),
      .wr_data,
      .rd_unit(BAW'(bias_base + 32'(j))),
      .rd_data(bias)
  );

  // the units' bookkeeping through the stages: lanes k read units unit[s] + k
  logic [5:1][E-1:0] valid;
  logic [5:1][12:0]  unit;
  logic [5:1]        first_step, slot, last_step;
  always_ff @(posedge clk) begin
    if (rst) valid <= '0;   // no unit read before a reset is written after it
    else valid <= {valid[4:1], take};
    unit[1]       <= j;
    first_step[1] <= t == 0;
    slot[1]       <= t[0];
    last_step[1]  <= t == steps - 32'd1;
    for (int s = 2; s <= 5; s++) begin
      unit[s]       <= unit[s-1];
      first_step[s] <= first_step[s-1];
      slot[s]       <= slot[s-1];
      last_step[s]  <= last_step[s-1];
    end
  end

  logic [E-1:0][15:0] c_prev_raw, c_new;
  banked_ram #(.WIDTH(16), .DEPTH(MAX_HIDDEN), .E(E)) cell_state (
      .clk,
      .wr_en   (valid[3]),
      .wr_first(HAW'(unit[3])),
      .wr_data (c_new),
      .rd_first(j[HAW-1:0]),
      .rd_data (c_prev_raw)
  );

  // sat32(xp + b)
  function automatic logic [31:0] add_sat32(input logic signed [33:0] xp,
                                            input logic signed [31:0] b);
    logic signed [34:0] sum;
    sum = 35'(xp) + 35'(b);
    if (sum > 35'sd2147483647) add_sat32 = 32'h7fffffff;
    else if (sum < -35'sd2147483648) add_sat32 = 32'h80000000;
    else add_sat32 = sum[31:0];
  endfunction

  // idx(z) = clamp(rnd(z, 4) + 2048, 0, 4095) = clamp((z + 8 + 32768) >> 4, 0, 4095)
  function automatic logic [11:0] z_index(input logic signed [31:0] xpb,
                                          input logic signed [31:0] zh);
    logic signed [33:0] shifted;
    shifted = (34'(xpb) + 34'(zh) + 34'sd32776) >>> 4;
    if (shifted < 0) z_index = 12'd0;
    else if (shifted > 34'sd4095) z_index = 12'd4095;
    else z_index = shifted[11:0];
  endfunction

  logic [E-1:0][15:0] h;
  for (genvar k = 0; k < E; k++) begin : lane
    // ---- stage 1: table indices of z = sat32(sat32(xp + b) + z_h)
    // flat vectors: Yosys cannot size 2-D arrays declared in a generate block
    logic [4*12-1:0]    index;          // gates i, f, g, o
    logic signed [15:0] c_prev2;
    for (genvar q = 0; q < 4; q++) begin : gate_index
      assign index[12*q +: 12] = z_index(add_sat32(rd_xp[34*(4*k+q) +: 34], bias[k][32*q +: 32]),
                                rd_z[32*(4*k+q) +: 32]);
    end
    always_ff @(posedge clk) c_prev2 <= first_step[1] ? 16'sd0 : c_prev_raw[k];

    logic [3*16-1:0]  sig_value;    // i, f, o
    logic [2*16-1:0]  tanh_value;   // g, c
    logic [11:0]      c_index;
    activation_tables tables (
        .clk,
        .wr_en     (table_wr_en),
        .wr_tanh   (table_wr_tanh),
        .wr_addr   (table_wr_addr),
        .wr_data,
        .sig_index ({index[36 +: 12], index[12 +: 12], index[0 +: 12]}),   // o, f, i
        .tanh_index({c_index, index[24 +: 12]}),                          // c, g
        .sig_value,
        .tanh_value
    );

    // ---- stage 2: products (in LUTs: the DSP48s are the MAC lanes')
    logic signed [15:0] gate_i, gate_f, gate_g, gate_o, gate_o3, gate_o4;
    logic signed [31:0] fc, ig;
    assign gate_i = sig_value[0 +: 16];
    assign gate_f = sig_value[16 +: 16];
    assign gate_o = sig_value[32 +: 16];
    assign gate_g = tanh_value[0 +: 16];
    always_ff @(posedge clk) begin
      fc      <= sharp_pkg::mul_s16(gate_f, c_prev2);
      ig      <= sharp_pkg::mul_s16(gate_i, gate_g);
      gate_o3 <= gate_o;
    end

    // ---- stage 3: c_t, written back, and the index of tanh(c_t)
    logic signed [17:0] c_sum;
    logic signed [15:0] c_next;
    logic signed [16:0] c_offset;   // rnd(c, 3) + 2048, in -2048 .. 6144
    assign c_sum = 18'((fc + 32'sd16384) >>> 15) + 18'((ig + 32'sd262144) >>> 19);
    assign c_next = c_sum > 18'sd32767 ? 16'sh7fff : c_sum < -18'sd32768 ? 16'sh8000 : c_sum[15:0];
    assign c_offset = ((17'(c_next) + 17'sd4) >>> 3) + 17'sd2048;
    assign c_index = c_offset < 0 ? 12'd0 : c_offset > 17'sd4095 ? 12'd4095 : c_offset[11:0];
    assign c_new[k] = c_next;
    always_ff @(posedge clk) gate_o4 <= gate_o3;

    // ---- stage 4: o * tanh(c_t)
    logic signed [31:0] oc;
    always_ff @(posedge clk) oc <= sharp_pkg::mul_s16(gate_o4, tanh_value[16 +: 16]);

    // ---- stage 5: h_t
    logic signed [16:0] h_rounded;
    assign h_rounded = 17'((oc + 32'sd16384) >>> 15);
    assign h[k]      = h_rounded > 17'sd32767 ? 16'sh7fff
                     : h_rounded < -17'sd32768 ? 16'sh8000 : h_rounded[15:0];
  end

  // ---- pack four h per beat, zero padded: lane k is element (unit mod 4) + k of the beats
  // from unit / 4 on; a beat is complete with its fourth element or the step's last unit
  logic [63:0] pack, pack_next;
  logic [BEATS-1:0][63:0] beat;
  logic [BEATS-1:0]       touched, complete, has_last;
  always_comb begin
    logic [12:0] u;
    pack_next = pack;
    for (int s = 0; s < BEATS; s++) begin
      beat[s]     = (s == 0 && unit[5][1:0] != 2'b00) ? pack : 64'd0;
      touched[s]  = 1'b0;
      complete[s] = 1'b0;
      has_last[s] = 1'b0;
      for (int k = 0; k < E; k++) begin
        u = unit[5] + 13'(k);
        for (int q = 0; q < 4; q++)
          if (valid[5][k] && 32'(unit[5][1:0]) + k == 4 * s + q) begin
            beat[s][16*q +: 16] = h[k];
            touched[s] = 1'b1;
            if (q == 3 || u == hidden_size - 13'd1) complete[s] = 1'b1;
            if (u == hidden_size - 13'd1) has_last[s] = 1'b1;
          end
      end
      if (touched[s]) pack_next = beat[s];
    end
  end
  always_ff @(posedge clk) pack <= pack_next;

  for (genvar s = 0; s < BEATS; s++) begin : beat_out
    assign out_push[s]  = complete[s];
    assign out_data[s]  = beat[s];
    assign out_last[s]  = has_last[s] && last_step[5];
    assign h_wr_en[s]   = complete[s];
    assign h_wr_beat[s] = 11'((unit[5] >> 2) + 13'(s));
    assign h_wr_data[s] = beat[s];
  end
  assign h_wr_slot = slot[5];

  always_ff @(posedge clk) begin
    if (begin_op) h_steps_done <= '0;
    else if (|has_last) h_steps_done <= h_steps_done + 32'd1;
  end
endmodule
