// The row-sum buffers: the x projections (two slots, by step parity) and the recurrent sums of
// the current step, both gate-interleaved rows. Written G rows at a time from the tree, in the
// cycle the sums leave it (so a batch issued at cycle i is readable from i + L_MAC), and read
// E hidden units (4E rows) per cycle by the elementwise unit.
//
// What is stored (the elementwise unit finishes the formulas of §3):
//   phase A: rnd(W_x.x, sx) clamped to 34 bits. sat32(v + b) for an int32 b is the same for v
//            and for v clamped to [-2^33, 2^33 - 1], so no bit of xp is lost;
//   phase B: sat32(rnd(W_h.h, sh)).
// Rows live in NB = max(N, 4) banks, row r in bank r mod NB at address r / NB: the G <= N rows of
// a batch (aligned to G) and the 4E <= NB rows of E units (aligned to 4, wrapping round the banks
// when E > 1) are in distinct banks.
module row_sum_buffer #(
    parameter int N          = 8,
    parameter int E          = 1,
    parameter int MAX_HIDDEN = 512,
    parameter int SUM_W      = 44,
    localparam int NB   = (N > 4) ? N : 4,
    localparam int LG_NB = $clog2(NB),
    localparam int ZD   = (4 * MAX_HIDDEN + NB - 1) / NB,   // rows per bank and slot
    localparam int ZAW  = (ZD > 1) ? $clog2(ZD) : 1
) (
    input  logic               clk,
    input  logic [N*SUM_W-1:0] sums,
    input  logic               wr_valid,    // the batch's last chunk leaves the tree
    input  logic               wr_phase_b,
    input  logic               wr_slot,
    input  logic [14:0]        wr_row_base,
    input  logic [2:0]         wr_group,
    input  logic [14:0]        rows,        // R = 4H
    input  logic [5:0]         shift_x,
    input  logic [5:0]         shift_h,
    output logic               z_written,   // a batch of phase B was written ...
    output logic [15:0]        z_rows,      // ... and rows below this are now in the z buffer

    input  logic [12:0]        rd_unit,
    input  logic               rd_slot,
    output logic [4*E*34-1:0]  rd_xp,       // the cycle after rd_unit: units rd_unit + k,
    output logic [4*E*32-1:0]  rd_z         // gates i, f, g, o
);
  localparam int VW = (SUM_W > 41 ? SUM_W : 41) + 1;  // room for the rounding half

  // rnd(v, s) = (v + 2^(s-1)) >>> s, then the clamp of the phase
  function automatic logic [33:0] round_clamp(input logic signed [SUM_W-1:0] v,
                                              input logic [5:0] s, input logic phase_b);
    logic signed [VW-1:0] wide, half;
    logic signed [VW-1:0] lo, hi;
    half = (s == 0) ? '0 : (VW'(1) <<< (s - 6'd1));
    wide = (VW'(v) + half) >>> s;
    lo = phase_b ? -(VW'(1) <<< 31) : -(VW'(1) <<< 33);
    hi = phase_b ? (VW'(1) <<< 31) - 1 : (VW'(1) <<< 33) - 1;
    if (wide < lo) wide = lo;
    else if (wide > hi) wide = hi;
    round_clamp = wide[33:0];
  endfunction

  logic [N-1:0][33:0] rounded;
  for (genvar g = 0; g < N; g++) begin : round
    assign rounded[g] = round_clamp(sums[SUM_W*g +: SUM_W], wr_phase_b ? shift_h : shift_x, wr_phase_b);
  end

  logic [6:0]      parallel;
  logic [LG_NB-1:0] offset;     // bank of the batch's first row
  logic [ZAW-1:0]  wr_addr;
  assign parallel = 7'(N) >> wr_group;
  assign offset   = wr_row_base[LG_NB-1:0];
  assign wr_addr  = ZAW'(wr_row_base >> LG_NB);

  assign z_written = wr_valid && wr_phase_b;
  assign z_rows    = 16'(wr_row_base) + 16'(parallel);

  // read side: units j .. j+E-1 are rows 4j .. 4j+4E-1, row 4j+q in bank (4j + q) mod NB at
  // address (4j + q) / NB
  logic [14:0]      rd_row;
  logic [LG_NB-1:0] rd_offset, rd_offset_r;
  assign rd_row    = {rd_unit, 2'b00};
  assign rd_offset = rd_row[LG_NB-1:0];
  always_ff @(posedge clk) rd_offset_r <= rd_offset;

  logic [NB-1:0][33:0] xp_bank;
  logic [NB-1:0][31:0] z_bank;
  for (genvar b = 0; b < NB; b++) begin : bank
    logic [LG_NB-1:0] g;       // the batch row that lands in this bank
    logic             en;
    logic [33:0]      data;
    logic [LG_NB-1:0] rd_lane;  // (b - 4j) mod NB: a variable, so the difference wraps at NB
    logic [ZAW-1:0]   bank_rd_addr;
    assign rd_lane      = LG_NB'(b) - rd_offset;
    assign bank_rd_addr = ZAW'((rd_row + 15'(rd_lane)) >> LG_NB);   // row 4j + rd_lane
    assign g    = LG_NB'(b) - offset;
    // no wrap: the batch starts at a multiple of G, so banks before it have g >= G
    assign en   = wr_valid && 7'(g) < parallel
                  && wr_row_base + 15'(g) < rows;
    // a mux written as a loop: a variable index into 34-bit elements would become a multiply
    always_comb begin
      data = '0;
      for (int r = 0; r < N; r++)
        if (32'(g) == r) data = rounded[r];
    end

    sdp_ram #(.WIDTH(34), .DEPTH(2 * (1 << ZAW))) xp_ram (
        .clk,
        .wr_en  (en && !wr_phase_b),
        .wr_addr({wr_slot, wr_addr}),
        .wr_data(data),
        .rd_addr({rd_slot, bank_rd_addr}),
        .rd_data(xp_bank[b])
    );
    sdp_ram #(.WIDTH(32), .DEPTH(1 << ZAW)) z_ram (
        .clk,
        .wr_en  (en && wr_phase_b),
        .wr_addr(wr_addr),
        .wr_data(data[31:0]),
        .rd_addr(bank_rd_addr),
        .rd_data(z_bank[b])
    );
  end

  always_comb begin
    for (int q = 0; q < 4 * E; q++) begin
      rd_xp[34*q +: 34] = '0;
      rd_z[32*q +: 32]  = '0;
      for (int b = 0; b < NB; b++)
        if (rd_offset_r + LG_NB'(q) == LG_NB'(b)) begin
          rd_xp[34*q +: 34] = xp_bank[b];
          rd_z[32*q +: 32]  = z_bank[b];
        end
    end
  end
endmodule
