// The weight buffer: WDEPTH words of P int16, lane l at bits [16l+15:16l]. A word arrives as
// P/4 beats, so it is stored as P/4 columns of 64 bits, each its own block RAM.
module weight_buffer #(
    parameter int P      = 128,
    parameter int WDEPTH = 8192,
    localparam int WAW   = (WDEPTH > 1) ? $clog2(WDEPTH) : 1,
    localparam int SEGS  = P / 4,
    localparam int SGW   = (SEGS > 1) ? $clog2(SEGS) : 1
) (
    input  logic              clk,
    input  logic              wr_en,
    input  logic [WAW-1:0]    wr_word,
    input  logic [SGW-1:0]    wr_seg,
    input  logic [63:0]       wr_data,
    input  logic [WAW-1:0]    rd_word,
    output logic [P*16-1:0]   rd_data     // the cycle after rd_word
);
  for (genvar s = 0; s < SEGS; s++) begin : column
    sdp_ram #(.WIDTH(64), .DEPTH(WDEPTH)) ram (
        .clk,
        .wr_en  (wr_en && wr_seg == SGW'(s)),
        .wr_addr(wr_word),
        .wr_data,
        .rd_addr(rd_word),
        .rd_data(rd_data[64*s +: 64])
    );
  end
endmodule
