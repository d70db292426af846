// The weight buffer: WDEPTH words of P int16, lane l at bits [16l+15:16l]. A word arrives as
// P/4 beats, so it is stored as P/4 columns of 64 bits, each its own RAM. Tile t's lanes are the
// K/4 columns from t*K/4: those of tiles 0..URAM_TILES-1 are UltraRAM, the others block RAM
// (the board's weight_uram_tiles, overlay/boards.csv).
module weight_buffer #(
    parameter int P          = 128,
    parameter int K          = 16,
    parameter int WDEPTH     = 8192,
    parameter int URAM_TILES = 0,
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
    sdp_ram #(.WIDTH(64), .DEPTH(WDEPTH), .RAM_STYLE(s < URAM_TILES * K / 4 ? "ultra" : "block")) ram (
        .clk,
        .wr_en  (wr_en && wr_seg == SGW'(s)),
        .wr_addr(wr_word),
        .wr_data,
        .rd_addr(rd_word),
        .rd_data(rd_data[64*s +: 64])
    );
  end
endmodule
