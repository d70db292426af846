// One lane of the LSTM's elementwise datapath (ARCHITECTURE.md §3 "One LSTM step", §6 stages
// 2..5; the golden model is host/sharp/cells/lstm.py). The elementwise unit reads xp, bias, z
// and c_{t-1} and forms the table indices of i, f, g, o (stages 0, 1); from the table values:
//   e+2 f*c and i*g, on multipliers (DSP48 / MULT18X18D) like the MAC lanes'
//   e+3 c_t = sat16(rnd(f c, 15) + rnd(i g, 19)), written back; index of tanh(c_t)
//   e+4 o*tanh(c_t)
//   e+5 h_t = sat16(rnd(o tanh(c_t), 15))
module lstm_cell (
    input  logic               clk,
    input  logic signed [15:0] gate_i,     // e+2: table values
    input  logic signed [15:0] gate_f,
    input  logic signed [15:0] gate_g,
    input  logic signed [15:0] gate_o,
    input  logic signed [15:0] c_prev,     // e+2: c_{t-1} (0 at step 0)
    output logic signed [15:0] c_new,      // e+3: c_t, for the state buffer
    output logic        [11:0] c_index,    // e+3: idxc(c_t), for the tanh table
    input  logic signed [15:0] tanh_c,     // e+4: TANH[c_index]
    output logic signed [15:0] h           // e+5
);
  // ---- stage 2: products
  logic signed [15:0] gate_o3, gate_o4;
  logic signed [31:0] fc, ig;
  always_ff @(posedge clk) begin
    fc      <= gate_f * c_prev;
    ig      <= gate_i * gate_g;
    gate_o3 <= gate_o;
  end

  // ---- stage 3: c_t, written back, and the index of tanh(c_t)
  // rnd(v, s) = (v >>> s) + bit s-1 of v: the rounding bits join the one sum. The tanh index
  // clamp(rnd(sat16(c), 3) + 2048, 0, 4095) = clamp((c + 16388) >>> 3, 0, 4095) is taken from
  // the unsaturated sum (saturation cannot move it across the clamp), formed beside c.
  logic signed [17:0] c_sum;
  logic signed [15:0] c_shifted;   // (c + 16388) >>> 3
  assign c_sum     = 18'(fc >>> 15) + 18'(ig >>> 19) + 18'(fc[14]) + 18'(ig[18]);
  assign c_shifted = 16'((19'(fc >>> 15) + 19'(ig >>> 19) + 19'(fc[14]) + 19'(ig[18])
                          + 19'sd16388) >>> 3);
  // saturation and clamp as bit tests, beside the adders
  assign c_new   = !c_sum[17] && c_sum[16:15] != 2'b00 ? 16'sh7fff
                 : c_sum[17] && c_sum[16:15] != 2'b11 ? 16'sh8000 : c_sum[15:0];
  assign c_index = c_shifted[15] ? 12'd0 : c_shifted[14:12] != 0 ? 12'd4095 : c_shifted[11:0];
  always_ff @(posedge clk) gate_o4 <= gate_o3;

  // ---- stage 4: o * tanh(c_t)
  logic signed [31:0] oc;
  always_ff @(posedge clk) oc <= gate_o4 * tanh_c;

  // ---- stage 5: h_t = sat16(q + oc[14]) for q = oc >>> 15, the saturation decided from the
  // bits of q beside the add (q = -32769 with the rounding bit set gives -32768 either way)
  logic signed [16:0] q;
  assign q = 17'(oc >>> 15);
  assign h = !q[16] && (q[15] || (&q[14:0] && oc[14])) ? 16'sh7fff
           : q[16] && !q[15] ? 16'sh8000 : q[15:0] + 16'(oc[14]);
endmodule
