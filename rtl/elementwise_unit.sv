// The elementwise unit: one hidden unit per cycle, in order (§6), the integer formulas of §3.
// A unit read at cycle e (stage 0) is in the h buffer from e + L_EW = e + 6:
//   e   read xp, z (row-sum buffer), bias, c_{t-1}
//   e+1 table indices of z = sat32(sat32(xp + b) + z_h); the clamp makes the outer sat32
//       unnecessary here
//   e+2 f*c and i*g
//   e+3 c_t = sat16(rnd(f c, 15) + rnd(i g, 19)), written back; index of tanh(c_t)
//   e+4 o*tanh(c_t)
//   e+5 h_t = sat16(rnd(o tanh(c_t), 15)), packed by four for out_stream and the h buffer
// so no stage has more than a table read and a product, or a few adds.
// The unit waits for its four rows (mode 1) or for all rows of the step (mode 0), and for room
// in the output FIFO: a credit per free FIFO entry, taken when a beat-completing unit is read.
module elementwise_unit
#(
    parameter int MAX_HIDDEN  = 512,
    parameter int BDEPTH      = 1024,
    parameter int FIFO_DEPTH  = 8,
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
    output logic [12:0] rd_unit,
    output logic        rd_slot,
    input  logic [4*34-1:0] rd_xp,
    input  logic [4*32-1:0] rd_z,

    input  logic           bias_wr_en,
    input  logic [BAW-1:0] bias_wr_unit,
    input  logic           bias_wr_half,
    input  logic           table_wr_en,
    input  logic           table_wr_tanh,
    input  logic [9:0]     table_wr_addr,
    input  logic [63:0]    wr_data,

    output logic        h_wr_en,      // four h at a time, as sent on out_stream
    output logic        h_wr_slot,
    output logic [10:0] h_wr_beat,
    output logic [63:0] h_wr_data,
    output logic        out_push,
    output logic [63:0] out_data,
    output logic        out_last,
    input  logic        out_pop,

    output logic [31:0] h_steps_done,
    output logic        output_blocked
);
  // ---- stage 0: which unit, and may it go
  logic [31:0] t;
  logic [12:0] j;
  logic [15:0] rows_ready;
  logic [$clog2(FIFO_DEPTH):0] credit;
  logic        rows_ok, completes_beat, read;

  assign rows_ok        = mode ? rows_ready >= 16'({j, 2'b00}) + 16'd4
                               : rows_ready >= 16'({hidden_size, 2'b00});
  assign completes_beat = j[1:0] == 2'b11 || j == hidden_size - 13'd1;
  assign read           = run && t < steps && rows_ok && (!completes_beat || credit != 0);
  assign output_blocked = run && t < steps && rows_ok && completes_beat && credit == 0;

  always_ff @(posedge clk) begin
    if (begin_op) begin
      t          <= '0;
      j          <= '0;
      rows_ready <= '0;
      credit     <= ($clog2(FIFO_DEPTH)+1)'(FIFO_DEPTH);
    end else begin
      credit <= credit - ($clog2(FIFO_DEPTH)+1)'(read && completes_beat)
                       + ($clog2(FIFO_DEPTH)+1)'(out_pop);
      if (read && j == hidden_size - 13'd1) begin
        j          <= '0;
        t          <= t + 32'd1;
        rows_ready <= '0;   // B_{t+1} cannot write before h_t is complete
      end else begin
        if (read) j <= j + 13'd1;
        if (z_written) rows_ready <= z_rows;
      end
    end
  end

  assign rd_unit = j;
  assign rd_slot = t[0];

  logic [127:0] bias;
  bias_buffer #(.BDEPTH(BDEPTH)) biases (
      .clk,
      .wr_en  (bias_wr_en),
      .wr_unit(bias_wr_unit),
      .wr_half(bias_wr_half),
      .wr_data,
      .rd_unit(BAW'(bias_base + 32'(j))),
      .rd_data(bias)
  );

  logic [15:0] c_prev_raw, c_new;
  logic [HAW-1:0] c_wr_unit;
  logic        c_wr_en;
  sdp_ram #(.WIDTH(16), .DEPTH(MAX_HIDDEN)) cell_state (
      .clk,
      .wr_en  (c_wr_en),
      .wr_addr(c_wr_unit),
      .wr_data(c_new),
      .rd_addr(j[HAW-1:0]),
      .rd_data(c_prev_raw)
  );

  // the unit's bookkeeping through the stages
  logic [5:1]       valid;
  logic [5:1][12:0] unit;
  logic [5:1]       first_step, slot, push, last_beat, last_unit;
  always_ff @(posedge clk) begin
    if (rst) valid <= '0;   // no unit read before a reset is written after it
    else valid <= {valid[4:1], read};
    unit[1]       <= j;
    first_step[1] <= t == 0;
    slot[1]       <= t[0];
    push[1]       <= completes_beat;
    last_beat[1]  <= t == steps - 32'd1 && j == hidden_size - 13'd1;
    last_unit[1]  <= j == hidden_size - 13'd1;
    for (int s = 2; s <= 5; s++) begin
      unit[s]       <= unit[s-1];
      first_step[s] <= first_step[s-1];
      slot[s]       <= slot[s-1];
      push[s]       <= push[s-1];
      last_beat[s]  <= last_beat[s-1];
      last_unit[s]  <= last_unit[s-1];
    end
  end

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

  // ---- stage 1: table indices of z = sat32(sat32(xp + b) + z_h)
  logic [3:0][11:0]   index;
  logic signed [15:0] c_prev2;
  for (genvar q = 0; q < 4; q++) begin : gate_index
    assign index[q] = z_index(add_sat32(rd_xp[34*q +: 34], bias[32*q +: 32]), rd_z[32*q +: 32]);
  end
  always_ff @(posedge clk) c_prev2 <= first_step[1] ? 16'sd0 : c_prev_raw;

  logic [2:0][15:0] sig_value;
  logic [1:0][15:0] tanh_value;
  logic [11:0]      c_index;
  activation_tables tables (
      .clk,
      .wr_en     (table_wr_en),
      .wr_tanh   (table_wr_tanh),
      .wr_addr   (table_wr_addr),
      .wr_data,
      .sig_index ({index[3], index[1], index[0]}),   // o, f, i
      .tanh_index({c_index, index[2]}),              // c, g
      .sig_value,
      .tanh_value
  );

  // ---- stage 2: products (in LUTs: the DSP48s are the MAC lanes')
  logic signed [15:0] gate_i, gate_f, gate_g, gate_o, gate_o3, gate_o4;
  logic signed [31:0] fc, ig;
  assign gate_i = sig_value[0];
  assign gate_f = sig_value[1];
  assign gate_o = sig_value[2];
  assign gate_g = tanh_value[0];
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
  assign c_new     = c_next;
  assign c_wr_en   = valid[3];
  assign c_wr_unit = HAW'(unit[3]);
  always_ff @(posedge clk) gate_o4 <= gate_o3;

  // ---- stage 4: o * tanh(c_t)
  logic signed [31:0] oc;
  always_ff @(posedge clk) oc <= sharp_pkg::mul_s16(gate_o4, tanh_value[1]);

  // ---- stage 5: h_t
  logic signed [16:0] h_rounded;
  logic signed [15:0] h;
  assign h_rounded = 17'((oc + 32'sd16384) >>> 15);
  assign h         = h_rounded > 17'sd32767 ? 16'sh7fff
                   : h_rounded < -17'sd32768 ? 16'sh8000 : h_rounded[15:0];

  // pack four h per beat, zero padded
  logic [63:0] pack, pack_next;
  always_comb begin
    pack_next = unit[5][1:0] == 2'b00 ? 64'd0 : pack;
    pack_next[16*unit[5][1:0] +: 16] = h;
  end
  always_ff @(posedge clk) if (valid[5]) pack <= pack_next;
  assign out_push = valid[5] && push[5];
  assign out_data = pack_next;
  assign out_last = last_beat[5];

  assign h_wr_en   = out_push;
  assign h_wr_slot = slot[5];
  assign h_wr_beat = 11'(unit[5] >> 2);
  assign h_wr_data = pack_next;

  always_ff @(posedge clk) begin
    if (begin_op) h_steps_done <= '0;
    else if (valid[5] && last_unit[5]) h_steps_done <= h_steps_done + 32'd1;
  end
endmodule
