// One table lookup with linear interpolation, look(T, v, s) of ARCHITECTURE.md §3: a copy of
// one 4096-entry table (loaded 4 entries per beat) read at entries k and k + 1 on the RAM's
// two ports, then T[k] + rnd((T[k+1] - T[k]) phi, 13), phi taken as 13 bits. Three stages
// from the index (§6): an index given in cycle s gives its value, registered, from s + 4:
//   s+1 the two entries out of the RAM, selected and registered
//   s+2 (T[k+1] - T[k]) * phi, on a multiplier with its pre-adder (DSP48)
//   s+3 T[k] + (p >>> 13) + p[12]: the value, between T[k] and T[k+1], registered
// At k = 4095 and at a clamped k, phi is 0, so the second read never counts there: the caller
// gives k + 1 from its own adder beside k's (no increment after the index), exact wherever
// phi is not 0.
module activation_lookup (
    input  logic               clk,
    input  logic               wr_en,
    input  logic [9:0]         wr_addr,   // entries 4 * wr_addr .. + 3
    input  logic [63:0]        wr_data,
    input  logic [11:0]        index,     // k
    input  logic [11:0]        index_next,  // k + 1 where phi != 0
    input  logic [12:0]        phi,       // the argument's low bits below the sample, 13 wide
    output logic signed [15:0] value
);
  logic [63:0] words_a, words_b;
  table_ram #(.WIDTH(64), .DEPTH(1024)) ram (
      .clk, .wr_en, .wr_addr, .wr_data,
      .rd_addr_a(index[11:2]),
      .rd_addr_b(index_next[11:2]),
      .rd_data_a(words_a),
      .rd_data_b(words_b)
  );

  // s+1: the entries
  logic [1:0]         entry_a, entry_b;
  logic [12:0]        phi1, phi2;
  logic signed [15:0] low, high;
  always_ff @(posedge clk) begin
    entry_a <= index[1:0];
    entry_b <= index_next[1:0];
    phi1    <= phi;
    low     <= words_a[16*entry_a +: 16];
    high    <= words_b[16*entry_b +: 16];
    phi2    <= phi1;
  end

  // s+2: the difference times phi (|T[k+1] - T[k]| <= 257 for the contract's tables; any int16
  // pair fits: 17 x 14 bits)
  logic signed [30:0] product;
  logic signed [16:0] difference;
  logic signed [15:0] low2;
  assign difference = 17'(high) - 17'(low);   // the pre-adder
  always_ff @(posedge clk) begin
    product <= 31'(difference) * 31'($signed({1'b0, phi2}));
    low2    <= low;
  end

  // s+3: the value; rnd(p, 13) = (p >>> 13) + p[12]
  always_ff @(posedge clk) value <= 16'(17'(low2) + 17'(product >>> 13) + 17'(product[12]));
endmodule
