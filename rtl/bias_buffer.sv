// The bias buffer: BDEPTH units of (b_i, b_f, b_g, b_o) int32, E consecutive units read per cycle.
// Beat 0 of a unit holds (b_i, b_f) and beat 1 holds (b_g, b_o), so each half is its own RAM.
module bias_buffer #(
    parameter int BDEPTH = 1024,
    parameter int E      = 1,
    localparam int BAW   = (BDEPTH > 1) ? $clog2(BDEPTH) : 1
) (
    input  logic                 clk,
    input  logic                 wr_en,
    input  logic [BAW-1:0]       wr_unit,
    input  logic                 wr_half,
    input  logic [63:0]          wr_data,
    input  logic [BAW-1:0]       rd_unit,
    output logic [E-1:0][127:0]  rd_data   // units rd_unit + k: {b_o, b_g, b_f, b_i}, a cycle later
);
  for (genvar h = 0; h < 2; h++) begin : half
    logic [E*64-1:0] data;   // flat: Yosys cannot size 2-D arrays declared in a generate block
    banked_ram #(.WIDTH(64), .DEPTH(BDEPTH), .E(E)) ram (
        .clk,
        .wr_en   (E'(wr_en && wr_half == 1'(h))),   // one unit per beat: lane 0
        .wr_first(wr_unit),
        .wr_data ({E{wr_data}}),
        .rd_first(rd_unit),
        .rd_data (data)
    );
    for (genvar k = 0; k < E; k++) begin : lane
      assign rd_data[k][64*h +: 64] = data[64*k +: 64];
    end
  end
endmodule
