// One lane of the GRU's elementwise datapath (ARCHITECTURE.md §3 "One GRU step", §6 stages; the
// golden model is host/sharp/cells/gru.py). The elementwise unit reads xp, bias, hp and h_{t-1}
// and forms the table indices of r and u (stages 0, 1, shared with the LSTM's i and f); its
// tables give their values at stage 5. This lane does the rest:
//   e+1  a = sat32(hp_n + b_hn); sat32(xp_n + b_in) (from the flags of stage 0)
//   e+5  r*a (int16 x int32, exact in 48 bits) and u*h_{t-1}, on multipliers
//   e+6  k and phi of n = tanh(sat32(xp_n + rnd(r a, 15))); 2^15 - u
//   e+7 .. e+9  the tanh lookup
//   e+10 (2^15 - u) * n
//   e+11 h_t = sat16(rnd((2^15 - u) n + u h_{t-1}, 15))
// The last is the contract's sat16(n + rnd(u (h_{t-1} - n), 15)) exactly: n 2^15 is a multiple
// of 2^15, so it passes through the rounding, and one product and one add follow the lookup.
module gru_cell (
    input  logic               clk,
    // e+1
    input  logic signed [35:0] xpb_offset, // xp_n + b_in + 2^20, from stage 0 ...
    input  logic               sat_hi,     // ... and whether xp_n + b_in saturates high
    input  logic               sat_lo,     //     or low
    input  logic signed [31:0] hp_n,       // sat32(rnd(W_hn h, sh)), the n row's z
    input  logic signed [31:0] b_hn,
    // e+5
    input  logic signed [15:0] gate_r,     // table values
    input  logic signed [15:0] gate_u,
    // h_{t-1} (0 at step 0), sign-extended as the state buffer holds it: u*h_{t-1} then has the
    // very operands of the LSTM's f*c, and synthesis shares the multiplier
    input  logic signed [24:0] h_prev,
    output logic        [11:0] n_index,    // e+6: k, k + 1 and phi of n, for the tanh table
    output logic        [11:0] n_next,
    output logic        [12:0] n_phi,
    input  logic signed [15:0] gate_n,     // e+10: n
    output logic signed [15:0] h           // e+11
);
  localparam logic signed [35:0] OFFSET = 36'sd1048576, SAT_HI = 36'sd2147483647 + OFFSET,
                                 SAT_LO = -36'sd2147483648 + OFFSET;

  // ---- stage 1: a, and sat32(xp_n + b_in) + 2^20
  logic signed [32:0] a_sum;
  logic signed [31:0] a;
  logic signed [35:0] xpn_offset;
  assign a_sum = 33'(hp_n) + 33'(b_hn);
  always_ff @(posedge clk) begin
    a          <= a_sum[32] != a_sum[31] ? {a_sum[32], {31{!a_sum[32]}}} : a_sum[31:0];
    xpn_offset <= sat_hi ? SAT_HI : sat_lo ? SAT_LO : xpb_offset;
  end

  // a and xp_n wait for r and u: a_wait[d] and xpn_wait[d] are readable at stage 3 + d (a to 5,
  // xp_n to 6)
  logic signed [2:0][31:0] a_wait;
  logic signed [3:0][35:0] xpn_wait;
  always_ff @(posedge clk) begin
    a_wait[0]   <= a;
    xpn_wait[0] <= xpn_offset;
    for (int d = 1; d < 3; d++) a_wait[d] <= a_wait[d-1];
    for (int d = 1; d < 4; d++) xpn_wait[d] <= xpn_wait[d-1];
  end

  // ---- stage 5: r*a and u*h_{t-1}
  logic signed [47:0] ra;
  /* verilator lint_off UNUSEDSIGNAL */   // f*c's width, so that the two products are one; the value fits 32 bits
  logic signed [40:0] uh;
  /* verilator lint_on UNUSEDSIGNAL */
  logic signed [15:0] gate_u6;
  always_ff @(posedge clk) begin
    ra      <= gate_r * $signed(a_wait[2]);   // a packed element is unsigned
    uh      <= gate_u * h_prev;
    gate_u6 <= gate_u;
  end

  // ---- stage 6: the lookup of tanh(sat32(xp_n + rnd(r a, 15))) from xp_n + rnd(r a, 15) + 2^20,
  // rnd(v, 15) = (v >>> 15) + v[14]; the clamp makes the sat32 unnecessary
  logic signed [37:0] n_sum;
  assign n_sum  = 38'($signed(xpn_wait[3])) + 38'(ra >>> 15) + 38'(ra[14]);
  assign {n_index, n_phi} = sharp_pkg::z_lookup(n_sum);
  // k + 1 from its own sum beside k's (2^9 more), not an increment after it
  assign n_next = 12'((38'($signed(xpn_wait[3])) + 38'(ra >>> 15) + 38'(ra[14]) + 38'sd512) >>> 9);
  logic signed [17:0] keep;   // 2^15 - u, in [1, 2^16]
  logic signed [32:0] uh_half;   // u h_{t-1} + 2^14
  always_ff @(posedge clk) begin
    keep    <= 18'sd32768 - 18'(gate_u6);
    uh_half <= 33'(uh) + 33'sd16384;
  end

  // keep and u h_{t-1} wait for n: keep_wait[d] and uh_wait[d] are readable at stage 8 + d
  // (keep to 10, u h_{t-1} to 11)
  logic signed [2:0][17:0] keep_wait;
  logic signed [3:0][32:0] uh_wait;
  always_ff @(posedge clk) begin
    keep_wait[0] <= keep;
    uh_wait[0]   <= uh_half;
    for (int d = 1; d < 3; d++) keep_wait[d] <= keep_wait[d-1];
    for (int d = 1; d < 4; d++) uh_wait[d] <= uh_wait[d-1];
  end

  // ---- stage 10: (2^15 - u) * n
  logic signed [33:0] kn;
  always_ff @(posedge clk) kn <= $signed(keep_wait[2]) * gate_n;

  // ---- stage 11: h_t = sat16((kn + u h_{t-1} + 2^14) >>> 15)
  logic signed [19:0] q;
  assign q = 20'((35'(kn) + 35'($signed(uh_wait[3]))) >>> 15);
  assign h = q[19:15] != {5{q[19]}} ? {q[19], {15{!q[19]}}} : q[15:0];
endmodule
