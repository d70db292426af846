// The x buffer (two slots of MAX_INPUT, by item parity) and the h buffer (2 MAX_BATCH slots of
// MAX_HIDDEN: h_t of sequence b in slot 2b + t mod 2), stored as vector words of P elements in
// columns of 4 (x arrives in beats of 4, h is written in the elementwise unit's out_stream beats:
// B_{t+1} of a sequence reads its h_t only once it is complete), and the broadcast of a chunk to
// the groups (§4): lane j of every group gets element c*w + j. A chunk never straddles two vector
// words because w divides P. An h slot takes a power-of-two number of words, so that a slot's
// address is its number shifted.
// An initial state's h_{-1} arrives from in_stream, a beat at a time, into slot 2b + 1, the one
// B_0 of sequence b reads (§8, "Carried state"); no h_t is written then.
module vector_broadcast #(
    parameter int N          = 8,
    parameter int K          = 16,
    parameter int MAX_INPUT  = 512,
    parameter int MAX_HIDDEN = 512,
    parameter int MAX_BATCH  = 8,
    parameter int H_PORTS    = 1,     // h beats written per cycle, consecutive: distinct columns
    localparam int P    = N * K,
    localparam int LG_N = $clog2(N),
    localparam int SEGS = P / 4,
    localparam int XD   = (MAX_INPUT + P - 1) / P,    // vector words per x slot
    localparam int HD   = (MAX_HIDDEN + P - 1) / P,   // vector words per h slot
    localparam int XAW  = $clog2(2 * XD),
    localparam int LG_HS = $clog2(HD),                   // words per h slot: 2^LG_HS >= HD
    localparam int SBW  = (MAX_BATCH > 1) ? $clog2(MAX_BATCH) : 1,
    localparam int HDEPTH = 2 * MAX_BATCH << LG_HS,
    localparam int HAW  = $clog2(HDEPTH)
) (
    input  logic              clk,
    // x_t beats from the stream receiver
    input  logic              x_wr_en,
    input  logic              x_wr_slot,
    input  logic [10:0]       x_wr_beat,
    input  logic [63:0]       x_wr_data,
    // h_t[4k .. 4k+3] from the elementwise unit
    input  logic [H_PORTS-1:0]        h_wr_en,
    input  logic [SBW:0]              h_wr_slot,
    input  logic [H_PORTS-1:0][10:0]  h_wr_beat,
    input  logic [H_PORTS-1:0][63:0]  h_wr_data,
    // h_{-1}[4k .. 4k+3] from in_stream (the data on x_wr_data)
    input  logic              h_prefix,     // a registered select: the beats come from in_stream
    input  logic              h_prefix_wr,
    input  logic [10:0]       h_prefix_beat,
    input  logic [SBW-1:0]    h_prefix_seq,
    // the issued chunk
    input  logic              rd_phase_b,
    input  logic [SBW:0]      rd_slot,    // x: bit 0
    input  logic [10:0]       rd_word,
    input  logic [5:0]        rd_part,
    input  logic [2:0]        rd_group,
    input  logic              rd_zero,
    output logic [P*16-1:0]   lanes        // the cycle after the read
);
  logic [XAW-1:0] x_wr_addr, x_rd_addr;
  logic [HAW-1:0] h_rd_addr;
  logic [P*16-1:0] x_word, h_word;

  // address = slot * depth + word
  assign x_wr_addr = XAW'(x_wr_slot ? XD : 0) + XAW'(x_wr_beat >> $clog2(SEGS));
  assign x_rd_addr = XAW'(rd_slot[0] ? XD : 0) + XAW'(rd_word);
  assign h_rd_addr = HAW'(HAW'(rd_slot) << LG_HS) + HAW'(rd_word);

  for (genvar s = 0; s < SEGS; s++) begin : x_column
    logic [10:0] seg;
    assign seg = x_wr_beat & 11'(SEGS - 1);
    sdp_ram #(.WIDTH(64), .DEPTH(2 * XD)) ram (
        .clk,
        .wr_en  (x_wr_en && seg == 11'(s)),
        .wr_addr(x_wr_addr),
        .wr_data(x_wr_data),
        .rd_addr(x_rd_addr),
        .rd_data(x_word[64*s +: 64])
    );
  end

  for (genvar s = 0; s < SEGS; s++) begin : h_column
    logic           en;
    logic [10:0]    beat;
    logic [63:0]    data;
    logic [HAW-1:0] addr;
    // the ports' beats are consecutive, so at most one falls in this column: no gating of data
    always_comb begin
      en   = 1'b0;
      beat = h_wr_beat[0];
      data = h_wr_data[0];
      for (int w = 0; w < H_PORTS; w++)
        if ((h_wr_beat[w] & 11'(SEGS - 1)) == 11'(s)) begin
          en   = h_wr_en[w];
          beat = h_wr_beat[w];
          data = h_wr_data[w];
        end
      if (h_prefix) begin
        en   = h_prefix_wr && (h_prefix_beat & 11'(SEGS - 1)) == 11'(s);
        beat = h_prefix_beat;
        data = x_wr_data;
      end
    end
    logic [SBW:0] slot;
    assign slot = h_prefix ? {h_prefix_seq, 1'b1} : h_wr_slot;
    assign addr = HAW'(HAW'(slot) << LG_HS) + HAW'(beat >> $clog2(SEGS));
    sdp_ram #(.WIDTH(64), .DEPTH(HDEPTH)) ram (
        .clk,
        .wr_en  (en),
        .wr_addr(addr),
        .wr_data(data),
        .rd_addr(h_rd_addr),
        .rd_data(h_word[64*s +: 64])
    );
  end

  // Select in the cycle the words arrive. Tile n of a group of m = 2^group tiles reads the
  // vector word's tile-sized block (part << group) + (n mod m): the same element index for
  // every group. Bit i of that block is n[i] below the group and part[i - group] above it, so
  // the N:1 block select is a butterfly of log2 N levels of 2:1 muxes, level L choosing by bit
  // L: its outputs depend on the tile only through n[L:0], so level L keeps 2^(L+1) versions
  // of N >> (L+1) blocks, P/2 muxes a level in all (N x (N-1) per element for N separate
  // N:1 selects, which took most of the LUTs and the routing of the 8x16 build). The x/h
  // choice is made once, before the butterfly.
  // Every select register has one copy per 4 lanes (kept apart from synthesis, which would
  // merge them): one copy would drive every lane.
  localparam int SEG_BITS = 64;                 // 4 lanes
  localparam int BLOCK_SEGS = K * 16 / SEG_BITS;
  logic [P*16-1:0] word;
  for (genvar s = 0; s < SEGS; s++) begin : choose
    logic sel_b;
    (* keep *) always_ff @(posedge clk) sel_b <= rd_phase_b;
    assign word[SEG_BITS*s +: SEG_BITS] = sel_b ? h_word[SEG_BITS*s +: SEG_BITS] : x_word[SEG_BITS*s +: SEG_BITS];
  end

  // level L's input: version v (of the 2^L) holds N >> L blocks from bit (v * (N >> L)) * K * 16
  logic [LG_N:0][P*16-1:0] level_in;   // every level holds N blocks: 2^L versions of N >> L
  assign level_in[0] = word;
  for (genvar L = 0; L < LG_N; L++) begin : level
    localparam int IN_BLOCKS = N >> L, OUT_BLOCKS = N >> (L + 1);
    for (genvar v = 0; v < (2 << L); v++) begin : version
      localparam int FROM = (v % (1 << L)) * IN_BLOCKS, TO = v * OUT_BLOCKS;
      for (genvar j = 0; j < OUT_BLOCKS; j++) begin : pair
        for (genvar q = 0; q < BLOCK_SEGS; q++) begin : seg
          localparam int LOW  = ((FROM + 2 * j) * BLOCK_SEGS + q) * SEG_BITS;
          localparam int HIGH = LOW + BLOCK_SEGS * SEG_BITS;
          localparam int OUT  = ((TO + j) * BLOCK_SEGS + q) * SEG_BITS;
          logic sel;   // bit L of the block: n[L] = v[L] inside the group, else part[L - group]
          (* keep *) always_ff @(posedge clk)
            sel <= (32'(rd_group) > L) ? 1'(v >> L) : 1'(32'(rd_part) >> (L - 32'(rd_group)));
          assign level_in[L+1][OUT +: SEG_BITS] = sel ? level_in[L][HIGH +: SEG_BITS] : level_in[L][LOW +: SEG_BITS];
        end
      end
    end
  end

  // the last level holds one block per tile, version n
  for (genvar n = 0; n < N; n++) begin : tile
    for (genvar q = 0; q < BLOCK_SEGS; q++) begin : seg
      localparam int AT = (n * BLOCK_SEGS + q) * SEG_BITS;
      logic zero;
      (* keep *) always_ff @(posedge clk) zero <= rd_zero;
      assign lanes[AT +: SEG_BITS] = zero ? '0 : level_in[LG_N][AT +: SEG_BITS];
    end
  end
endmodule
