// One lane of the LSTM's elementwise datapath (ARCHITECTURE.md §3 "One LSTM step", §6 stages
// 2..11; the golden model is host/sharp/cells/lstm.py). The elementwise unit reads xp, bias, z
// and c_{t-1} and forms the table indices of i, f, g, o (stages 0, 1); its tables give their
// values at stage 5 (activation_lookup). From them:
//   e+5  f*c and i*g, on multipliers (DSP48: 16 x 25; MULT18X18D pairs on ECP5)
//   e+6  c_t = sat25(rnd(f c, 15) + rnd(i g, 10)), written back; k and phi of tanh(c_t)
//   e+7 .. e+9  the tanh lookup
//   e+10 o*tanh(c_t)
//   e+11 h_t = sat16(rnd(o tanh(c_t), 15))
module lstm_cell (
    input  logic               clk,
    input  logic signed [15:0] gate_i,     // e+5: table values
    input  logic signed [15:0] gate_f,
    input  logic signed [15:0] gate_g,
    input  logic signed [15:0] gate_o,
    input  logic signed [24:0] c_prev,     // e+5: c_{t-1} (0 at step 0)
    output logic signed [24:0] c_new,      // e+6: c_t, for the state buffer
    output logic        [11:0] c_index,    // e+6: k, k + 1 and phi of tanh(c_t), for the tanh table
    output logic        [11:0] c_next,
    output logic        [12:0] c_phi,
    input  logic signed [15:0] tanh_c,     // e+10: tanh(c_t)
    output logic signed [15:0] h           // e+11
);
  // ---- stage 5: products
  logic signed [15:0] gate_o6;
  logic signed [40:0] fc;
  logic signed [31:0] ig;
  always_ff @(posedge clk) begin
    fc      <= gate_f * c_prev;
    ig      <= gate_i * gate_g;
    gate_o6 <= gate_o;
  end

  // ---- stage 6: c_t, written back, and the lookup of tanh(c_t)
  // rnd(v, s) = (v >>> s) + bit s-1 of v: the rounding bits join the one sum. The lookup's k and
  // phi come from the unsaturated sum plus 2^24 (saturation cannot move them across the clamp),
  // formed beside c.
  logic signed [27:0] c_sum, c_offset;
  assign c_sum    = 28'(fc >>> 15) + 28'(ig >>> 10) + 28'(fc[14]) + 28'(ig[9]);
  assign c_offset = 28'(fc >>> 15) + 28'(ig >>> 10) + 28'(fc[14]) + 28'(ig[9]) + 28'sd16777216;
  // saturation as bit tests, beside the adder
  assign c_new = !c_sum[27] && c_sum[26:24] != 3'b000 ? 25'sh0ffffff
               : c_sum[27] && c_sum[26:24] != 3'b111 ? {1'b1, 24'd0} : c_sum[24:0];
  // k + 1 from its own sum beside k's (+2^13 more), not an increment after it
  assign {c_index, c_phi} = sharp_pkg::c_lookup(c_offset);
  assign c_next = 12'((28'(fc >>> 15) + 28'(ig >>> 10) + 28'(fc[14]) + 28'(ig[9])
                       + 28'sd16785408) >>> 13);

  // o waits for tanh(c_t): gate_o_wait[d] is readable at stage 7 + d
  logic signed [3:0][15:0] gate_o_wait;
  always_ff @(posedge clk) begin
    gate_o_wait[0] <= gate_o6;
    for (int d = 1; d < 4; d++) gate_o_wait[d] <= gate_o_wait[d-1];
  end

  // ---- stage 10: o * tanh(c_t)
  logic signed [31:0] oc;
  always_ff @(posedge clk) oc <= $signed(gate_o_wait[3]) * tanh_c;   // a packed element is unsigned

  // ---- stage 11: h_t = sat16(q + oc[14]) for q = oc >>> 15, the saturation decided from the
  // bits of q beside the add (q = -32769 with the rounding bit set gives -32768 either way)
  logic signed [16:0] q;
  assign q = 17'(oc >>> 15);
  assign h = !q[16] && (q[15] || (&q[14:0] && oc[14])) ? 16'sh7fff
           : q[16] && !q[15] ? 16'sh8000 : q[15:0] + 16'(oc[14]);
endmodule
