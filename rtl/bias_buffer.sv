// The bias buffer: BDEPTH units of (b_i, b_f, b_g, b_o) int32. Beat 0 of a unit holds (b_i, b_f)
// and beat 1 holds (b_g, b_o), so each half is its own RAM.
module bias_buffer #(
    parameter int BDEPTH = 1024,
    localparam int BAW   = (BDEPTH > 1) ? $clog2(BDEPTH) : 1
) (
    input  logic           clk,
    input  logic           wr_en,
    input  logic [BAW-1:0] wr_unit,
    input  logic           wr_half,
    input  logic [63:0]    wr_data,
    input  logic [BAW-1:0] rd_unit,
    output logic [127:0]   rd_data      // {b_o, b_g, b_f, b_i}, the cycle after rd_unit
);
  for (genvar h = 0; h < 2; h++) begin : half
    sdp_ram #(.WIDTH(64), .DEPTH(BDEPTH)) ram (
        .clk,
        .wr_en  (wr_en && wr_half == 1'(h)),
        .wr_addr(wr_unit),
        .wr_data,
        .rd_addr(rd_unit),
        .rd_data(rd_data[64*h +: 64])
    );
  end
endmodule
