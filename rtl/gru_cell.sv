// One lane of the GRU's elementwise datapath (ARCHITECTURE.md §3 "One GRU step", §6 stages; the
// golden model is host/sharp/cells/gru.py). The elementwise unit reads xp, bias, hp and h_{t-1}
// and forms the table indices of r and u (stages 0, 1, shared with the LSTM's i and f); this
// lane does the rest:
//   e+1 a = sat32(hp_n + b_hn); sat32(xp_n + b_in) (from the flags of stage 0)
//   e+2 r*a (int16 x int32, exact in 48 bits) and u*h_{t-1}, on multipliers
//   e+3 the index of n = TANH[idx(sat32(xp_n + rnd(r a, 15)))]; 2^15 - u
//   e+4 (2^15 - u) * n
//   e+5 h_t = sat16(rnd((2^15 - u) n + u h_{t-1}, 15))
// The last is the contract's sat16(n + rnd(u (h_{t-1} - n), 15)) exactly: n 2^15 is a multiple
// of 2^15, so it passes through the rounding, and one product and one add follow the table read.
module gru_cell (
    input  logic               clk,
    // e+1
    input  logic signed [35:0] xpb_half,   // xp_n + b_in + 32776, from stage 0 ...
    input  logic               sat_hi,     // ... and whether xp_n + b_in saturates high
    input  logic               sat_lo,     //     or low
    input  logic signed [31:0] hp_n,       // sat32(rnd(W_hn h, sh)), the n row's z
    input  logic signed [31:0] b_hn,
    // e+2
    input  logic signed [15:0] gate_r,     // table values
    input  logic signed [15:0] gate_u,
    input  logic signed [15:0] h_prev,     // h_{t-1} (0 at step 0)
    output logic        [11:0] n_index,    // e+3, for the tanh table
    input  logic signed [15:0] gate_n,     // e+4: TANH[n_index]
    output logic signed [15:0] h           // e+5
);
  localparam logic signed [35:0] HALF = 36'sd32776, SAT_HI = 36'sd2147483647 + HALF,
                                 SAT_LO = -36'sd2147483648 + HALF;

  // ---- stage 1: a, and sat32(xp_n + b_in) + 32776
  logic signed [32:0] a_sum;
  logic signed [31:0] a;
  logic signed [35:0] xpn_half2, xpn_half3;   // sat32(xp_n + b_in) + 32776
  assign a_sum = 33'(hp_n) + 33'(b_hn);
  always_ff @(posedge clk) begin
    a         <= a_sum[32] != a_sum[31] ? {a_sum[32], {31{!a_sum[32]}}} : a_sum[31:0];
    xpn_half2 <= sat_hi ? SAT_HI : sat_lo ? SAT_LO : xpb_half;
  end

  // ---- stage 2: r*a and u*h_{t-1}
  logic signed [47:0] ra;
  logic signed [31:0] uh;
  logic signed [15:0] gate_u3;
  always_ff @(posedge clk) begin
    ra        <= gate_r * a;
    uh        <= gate_u * h_prev;
    gate_u3   <= gate_u;
    xpn_half3 <= xpn_half2;
  end

  // ---- stage 3: idx(sat32(xp_n + rnd(r a, 15))) = clamp((xp_n + rnd(r a, 15) + 32776) >>> 4,
  // 0, 4095) with rnd(v, 15) = (v >>> 15) + v[14]; the clamp makes the sat32 unnecessary
  logic signed [36:0] n_sum;
  logic signed [32:0] n_shifted;
  assign n_sum     = 37'(xpn_half3) + 37'(ra >>> 15) + 37'(ra[14]);
  assign n_shifted = 33'(n_sum >>> 4);
  assign n_index   = n_shifted[32] ? 12'd0 : n_shifted[31:12] != 0 ? 12'd4095 : n_shifted[11:0];
  logic signed [17:0] keep;   // 2^15 - u, in [1, 2^16]
  logic signed [32:0] uh_half, uh_half5;   // u h_{t-1} + 2^14
  always_ff @(posedge clk) begin
    keep    <= 18'sd32768 - 18'(gate_u3);
    uh_half <= 33'(uh) + 33'sd16384;
  end

  // ---- stage 4: (2^15 - u) * n
  logic signed [33:0] kn;
  always_ff @(posedge clk) begin
    kn       <= keep * gate_n;
    uh_half5 <= uh_half;
  end

  // ---- stage 5: h_t = sat16((kn + u h_{t-1} + 2^14) >>> 15)
  logic signed [19:0] q;
  assign q = 20'((35'(kn) + 35'(uh_half5)) >>> 15);
  assign h = q[19:15] != {5{q[19]}} ? {q[19], {15{!q[19]}}} : q[15:0];
endmodule
