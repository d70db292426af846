// The row-sum buffers: the x projections (2 MAX_BATCH slots: step t of sequence b in slot
// 2b + t mod 2) and the recurrent sums (MAX_BATCH slots: sequence b's latest step in slot b), both
// gate-interleaved rows. Written G rows at a time from the tree, two
// cycles after the sums leave it (so a batch issued at cycle i is readable from i + L_MAC), and
// read E hidden units (Q E rows: Q = 4 gates for the LSTM, 3 for the GRU) per cycle by the
// elementwise unit.
//   cycle W-2  the batch's tags arrive; each row registers its phase's shift and rounding half
//   cycle W-1  the sums arrive: (v + half) >>> s, registered; the banks' enables and row selects
//   cycle W    clamp, bank select, RAM write
//
// What is stored (the elementwise unit finishes the formulas of §3):
//   phase A: rnd(W_x.x, sx) clamped to 34 bits. sat32(v + b) for an int32 b is the same for v
//            and for v clamped to [-2^33, 2^33 - 1], so no bit of xp is lost;
//   phase B: sat32(rnd(W_h.h, sh)).
// Rows live in NB = max(N, 4) banks, row r in bank r mod NB at address r / NB: the G <= N rows of
// a batch (aligned to G) and the Q E <= 4E <= NB rows of E units (wrapping round the banks when
// E > 1) are in distinct banks. A GRU uses 3/4 of the depth.
module row_sum_buffer #(
    parameter int N          = 8,
    parameter int E          = 1,
    parameter int MAX_HIDDEN = 512,
    parameter int SUM_W      = 44,
    parameter int MAX_BATCH  = 8,
    localparam int NB   = (N > 4) ? N : 4,
    localparam int LG_NB = $clog2(NB),
    localparam int ZD   = (4 * MAX_HIDDEN + NB - 1) / NB,   // rows per bank and slot
    localparam int ZAW  = (ZD > 1) ? $clog2(ZD) : 1,
    localparam int SBW  = (MAX_BATCH > 1) ? $clog2(MAX_BATCH) : 1,
    // a slot is 2^ZAW rows of a bank, so that its address is the slot number shifted
    localparam int XPAW = $clog2(2 * MAX_BATCH << ZAW),
    localparam int ZPAW = $clog2(MAX_BATCH << ZAW) > 0 ? $clog2(MAX_BATCH << ZAW) : 1
) (
    input  logic               clk,
    input  logic               rst,
    input  logic [N*SUM_W-1:0] sums,        // at W-1
    input  logic               tag_valid,   // at W-2: the batch's last chunk
    input  logic               tag_phase_b,
    input  logic [SBW:0]       tag_slot,    // xp slot 2b + t mod 2 (phase A), z slot b (B)
    input  logic [14:0]        tag_row_base,
    input  logic [2:0]         tag_group,
    input  logic [14:0]        rows,        // R = Q H
    input  logic               is_gru,      // 0 LSTM (Q = 4), 1 GRU (Q = 3)
    input  logic [5:0]         shift_x,
    input  logic [5:0]         shift_h,
    output logic               z_written,   // a batch of phase B was written ...
    output logic [6:0]         z_delta,     // ... making this many more rows readable ...
    output logic               z_all,       // ... or all rows of the step

    input  logic [14:0]        rd_row,      // z: row Q j of the first unit j read ...
    input  logic [SBW-1:0]     rd_slot,     // ... of slot rd_slot
    input  logic [14:0]        xp_rd_row,   // xp: the same for the next cycle's units ...
    input  logic [SBW:0]       xp_rd_slot,  // ... of slot xp_rd_slot
    // the cycle after the read, four slots a unit: slot 4k + q holds row Q (j + k) + q, gate q
    // of unit j + k (i, f, g, o; or r, u, n and a row not of the unit)
    output logic [4*E*34-1:0]  rd_xp,
    output logic [4*E*32-1:0]  rd_z
);
  localparam int VW = (SUM_W > 41 ? SUM_W : 41) + 1;  // room for the rounding half

  // ---- cycle W-2 -> W-1: the tags, and every row's own copy of its phase's rounding
  logic            a_valid, a_phase_b;
  logic [SBW:0]    a_slot;
  logic [14:0]     a_row_base;
  logic [2:0]      a_group;
  always_ff @(posedge clk) begin
    a_valid    <= !rst && tag_valid;   // nothing issued before a reset is written after it
    a_phase_b  <= tag_phase_b;
    a_slot     <= tag_slot;
    a_row_base <= tag_row_base;
    a_group    <= tag_group;
  end

  logic [5:0] tag_shift;
  assign tag_shift = tag_phase_b ? shift_h : shift_x;
  logic [N-1:0][VW-1:0] shifted;   // at W: rnd(v, s) = (v + 2^(s-1)) >>> s
  for (genvar g = 0; g < N; g++) begin : round
    logic [5:0]           s_r;
    logic signed [VW-1:0] half_r;
    // kept apart: one shared copy would drive every row's adder and shifter
    (* keep *) always_ff @(posedge clk) begin
      s_r    <= tag_shift;
      half_r <= (tag_shift == 0) ? '0 : (VW'(1) <<< (tag_shift - 6'd1));
    end
    always_ff @(posedge clk)
      shifted[g] <= (VW'($signed(sums[SUM_W*g +: SUM_W])) + half_r) >>> s_r;
  end

  // ---- cycle W-1 -> W: which row each bank takes, and whether it writes
  logic [6:0]       parallel;
  logic [LG_NB-1:0] offset;     // bank of the batch's first row
  assign parallel = 7'(N) >> a_group;
  assign offset   = a_row_base[LG_NB-1:0];

  logic            b_valid, b_phase_b;
  logic [SBW:0]    b_slot;
  logic [ZAW-1:0]  b_wr_addr;
  always_ff @(posedge clk) begin
    b_valid   <= !rst && a_valid;
    b_phase_b <= a_phase_b;
    b_slot    <= a_slot;
    b_wr_addr <= ZAW'(a_row_base >> LG_NB);
    // batches are written in order: the rows up to a_row_base were readable before (a last
    // batch's rows past R count too, but no unit past H is taken)
    z_delta   <= parallel;
    z_all     <= 16'(a_row_base) + 16'(parallel) >= 16'(rows);
  end
  assign z_written = b_valid && b_phase_b;

  // the clamp of the phase: phase A keeps 34 bits, phase B saturates to 32; out of range is
  // a sign bit above the kept ones that differs from the sign (bit tests, no compare)
  function automatic logic [33:0] clamp(input logic signed [VW-1:0] wide, input logic phase_b);
    logic neg, over;
    neg  = wide[VW-1];
    over = phase_b ? wide[VW-1:31] != {(VW-31){neg}} : wide[VW-1:33] != {(VW-33){neg}};
    if (!over) clamp = wide[33:0];
    else if (phase_b) clamp = neg ? 34'h3_8000_0000 : 34'h0_7fff_ffff;
    else clamp = neg ? 34'h2_0000_0000 : 34'h1_ffff_ffff;
  endfunction
  logic [N-1:0][33:0] rounded;
  for (genvar g = 0; g < N; g++) begin : saturate
    assign rounded[g] = clamp(shifted[g], b_phase_b);
  end

  // read side: units j .. j+E-1 are rows Qj .. Qj+QE-1; the 4E rows from Qj are read, row Qj+q
  // in bank (Qj + q) mod NB at address (Qj + q) / NB
  logic [14:0]      xp_row;
  logic [LG_NB-1:0] rd_offset, rd_offset_r, xp_offset, xp_offset_r;
  assign xp_row    = xp_rd_row;
  assign rd_offset = rd_row[LG_NB-1:0];
  assign xp_offset = xp_row[LG_NB-1:0];
  always_ff @(posedge clk) begin
    rd_offset_r <= rd_offset;
    xp_offset_r <= xp_offset;
  end

  logic [NB-1:0][33:0] xp_bank;
  logic [NB-1:0][31:0] z_bank;
  for (genvar b = 0; b < NB; b++) begin : bank
    logic [LG_NB-1:0] g, b_g;  // the batch row that lands in this bank
    logic             b_en;
    logic [33:0]      data;
    logic [LG_NB-1:0] rd_lane, xp_lane;  // (b - Qj) mod NB: a variable, so it wraps at NB
    logic [ZAW-1:0]   bank_rd_addr, xp_rd_addr;
    assign rd_lane      = LG_NB'(b) - rd_offset;
    assign xp_lane      = LG_NB'(b) - xp_offset;
    assign bank_rd_addr = ZAW'((rd_row + 15'(rd_lane)) >> LG_NB);   // row Qj + rd_lane
    assign xp_rd_addr   = ZAW'((xp_row + 15'(xp_lane)) >> LG_NB);
    assign g = LG_NB'(b) - offset;
    // no wrap: the batch starts at a multiple of G, so banks before it have g >= G
    always_ff @(posedge clk) begin
      b_g  <= g;
      b_en <= a_valid && 7'(g) < parallel && a_row_base + 15'(g) < rows;
    end
    // a mux written as a loop: a variable index into 34-bit elements would become a multiply
    always_comb begin
      data = '0;
      for (int r = 0; r < N; r++)
        if (32'(b_g) == r) data = rounded[r];
    end

    sdp_ram #(.WIDTH(34), .DEPTH(2 * MAX_BATCH << ZAW)) xp_ram (
        .clk,
        .wr_en  (b_en && !b_phase_b),
        .wr_addr(XPAW'({b_slot, b_wr_addr})),
        .wr_data(data),
        .rd_addr(XPAW'({xp_rd_slot, xp_rd_addr})),
        .rd_data(xp_bank[b])
    );
    sdp_ram #(.WIDTH(32), .DEPTH(MAX_BATCH << ZAW)) z_ram (
        .clk,
        .wr_en  (b_en && b_phase_b),
        .wr_addr(ZPAW'({b_slot[SBW-1:0], b_wr_addr})),
        .wr_data(data[31:0]),
        .rd_addr(ZPAW'({rd_slot, bank_rd_addr})),
        .rd_data(z_bank[b])
    );
  end

  // slot 4k + q is row Qk + q of the rows read: the cell only changes the selects
  always_comb begin
    logic [LG_NB-1:0] row;
    for (int k = 0; k < E; k++)
      for (int q = 0; q < 4; q++) begin
        row = LG_NB'((is_gru ? 3 : 4) * k + q);
        rd_xp[34*(4*k+q) +: 34] = '0;
        rd_z[32*(4*k+q) +: 32]  = '0;
        for (int b = 0; b < NB; b++) begin
          if (xp_offset_r + row == LG_NB'(b)) rd_xp[34*(4*k+q) +: 34] = xp_bank[b];
          if (rd_offset_r + row == LG_NB'(b)) rd_z[32*(4*k+q) +: 32] = z_bank[b];
        end
      end
  end
endmodule
