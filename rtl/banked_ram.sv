// A RAM that reads, and writes, E consecutive addresses per cycle: element a lives in bank
// a mod E at a / E, so any E consecutive addresses fall in distinct banks (E a power of two).
// E = 1 is a plain sdp_ram.
module banked_ram #(
    parameter int WIDTH = 16,
    parameter int DEPTH = 1024,
    parameter int E     = 1,
    localparam int AW   = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
    input  logic                     clk,
    input  logic [E-1:0]             wr_en,      // lane k writes address wr_first + k
    input  logic [AW-1:0]            wr_first,
    input  logic [E-1:0][WIDTH-1:0]  wr_data,
    input  logic [AW-1:0]            rd_first,   // lane k reads address rd_first + k ...
    output logic [E-1:0][WIDTH-1:0]  rd_data     // ... the cycle after
);
  if (E == 1) begin : single
    sdp_ram #(.WIDTH(WIDTH), .DEPTH(DEPTH)) ram (
        .clk, .wr_en(wr_en[0]), .wr_addr(wr_first), .wr_data(wr_data[0]),
        .rd_addr(rd_first), .rd_data(rd_data[0]));
  end else begin : banked
    localparam int LG_E = $clog2(E);
    localparam int BD   = (DEPTH + E - 1) / E;
    localparam int BAW  = (BD > 1) ? $clog2(BD) : 1;

    logic [E*WIDTH-1:0] bank_data;   // flat: Yosys cannot size 2-D arrays declared in a generate block
    logic [LG_E-1:0]         rd_offset_r;
    always_ff @(posedge clk) rd_offset_r <= rd_first[LG_E-1:0];

    for (genvar b = 0; b < E; b++) begin : bank
      // the lane whose address falls in this bank (mod-E wrap of the LG_E-bit difference)
      logic [LG_E-1:0] wr_lane, rd_lane;
      logic [AW-1:0]   wr_addr, rd_addr;
      logic            en;
      logic [WIDTH-1:0] data;
      assign wr_lane = LG_E'(b) - wr_first[LG_E-1:0];
      assign rd_lane = LG_E'(b) - rd_first[LG_E-1:0];
      assign wr_addr = wr_first + AW'(wr_lane);
      assign rd_addr = rd_first + AW'(rd_lane);
      always_comb begin
        en   = 1'b0;
        data = '0;
        for (int k = 0; k < E; k++)
          if (32'(wr_lane) == k) begin
            en   = wr_en[k];
            data = wr_data[k];
          end
      end
      sdp_ram #(.WIDTH(WIDTH), .DEPTH(BD)) ram (
          .clk, .wr_en(en), .wr_addr(BAW'(wr_addr >> LG_E)), .wr_data(data),
          .rd_addr(BAW'(rd_addr >> LG_E)), .rd_data(bank_data[WIDTH*b +: WIDTH]));
    end

    always_comb begin
      for (int k = 0; k < E; k++) begin
        rd_data[k] = '0;
        for (int b = 0; b < E; b++)
          if (rd_offset_r + LG_E'(k) == LG_E'(b)) rd_data[k] = bank_data[WIDTH*b +: WIDTH];
      end
    end
  end
endmodule
