// The reconfigurable reduction tree (§4), one register per level:
//   log2 K - 1 levels add the lanes of each tile, the first of them four lanes at once (two
//   short adders in series: that cycle goes to the rounding in row_sum_buffer);
//   log2 N fusion levels: at level f <= group, node n becomes node 2n + node 2n+1 (the sums of
//   groups of 2^f tiles, packed to the low nodes); above the group, nodes pass through.
// After log2 P - 1 levels, sums[g] is group g's row sum for g < G = N >> group.
// Sums are SUM_W bits: a dot product of L int16 pairs is at most 2^(30 + log2 L) in magnitude,
// so SUM_W = 32 + log2(max L) holds every partial sum exactly (the contract's 48-bit nodes
// never carry more).
module reduction_tree #(
    parameter int N     = 8,
    parameter int K     = 16,
    parameter int SUM_W = 44,
    localparam int P    = N * K,
    localparam int LG_N = $clog2(N),
    localparam int LG_K = $clog2(K)
) (
    input  logic               clk,
    input  logic [P*48-1:0]    acc,
    input  logic [2:0]         group,   // aligned with acc
    output logic [N*SUM_W-1:0] sums     // log2 P - 1 cycles after acc
);
  // in-tile levels 2..log2 K (K >= 4): level l has P >> l nodes, stored from node(l, 0)
  function automatic int node(input int level, input int index);
    node = P / 2 - 2 * (P >> level) + index;
  endfunction

  logic [(P/2-N)*SUM_W-1:0] tile_nodes;
  for (genvar lv = 2; lv <= LG_K; lv++) begin : tile_level
    for (genvar i = 0; i < (P >> lv); i++) begin : add
      if (lv == 2) begin : from_lanes
        always_ff @(posedge clk)
          tile_nodes[SUM_W*node(lv, i) +: SUM_W] <= acc[48*(4*i) +: SUM_W] + acc[48*(4*i+1) +: SUM_W]
                                                    + acc[48*(4*i+2) +: SUM_W] + acc[48*(4*i+3) +: SUM_W];
      end else begin : from_level
        always_ff @(posedge clk)
          tile_nodes[SUM_W*node(lv, i) +: SUM_W] <= tile_nodes[SUM_W*node(lv - 1, 2*i) +: SUM_W]
                                                    + tile_nodes[SUM_W*node(lv - 1, 2*i+1) +: SUM_W];
      end
    end
  end

  // the group setting travels with the data: group_delay[d] is d + 1 cycles behind the input
  localparam int GD = (LG_N + LG_K - 2 > 0) ? LG_N + LG_K - 2 : 1;
  logic [GD-1:0][2:0] group_delay;
  for (genvar d = 0; d < GD; d++) begin : delay
    if (d == 0) begin : first
      always_ff @(posedge clk) group_delay[d] <= group;
    end else begin : later
      always_ff @(posedge clk) group_delay[d] <= group_delay[d-1];
    end
  end

  // fusion levels 1..log2 N, level 0 being the tile sums: node(f, i) of level f
  localparam int LEVELS = LG_N + 1;
  logic [LEVELS*N*SUM_W-1:0] fused;
  for (genvar i = 0; i < N; i++) begin : tile_sum
    assign fused[SUM_W*i +: SUM_W] = tile_nodes[SUM_W*node(LG_K, i) +: SUM_W];
  end
  for (genvar f = 1; f <= LG_N; f++) begin : fusion_level
    logic add;   // this level is inside the group
    assign add = group_delay[LG_K + f - 3] >= 3'(f);
    for (genvar i = 0; i < N; i++) begin : node_f
      localparam int OUT = SUM_W * (f * N + i);
      localparam int LEFT = SUM_W * ((f - 1) * N + 2 * i), RIGHT = LEFT + SUM_W;
      localparam int SAME = SUM_W * ((f - 1) * N + i);
      if (i < (N >> f)) begin : pair
        always_ff @(posedge clk)
          fused[OUT +: SUM_W] <= add ? fused[LEFT +: SUM_W] + fused[RIGHT +: SUM_W]
                                     : fused[SAME +: SUM_W];
      end else begin : pass
        always_ff @(posedge clk) fused[OUT +: SUM_W] <= fused[SAME +: SUM_W];
      end
    end
  end
  assign sums = fused[SUM_W * N * LG_N +: SUM_W * N];
endmodule
