// Simple dual-port RAM: one write port, one synchronous read port (infers block RAM or LUT RAM).
// A read in the cycle after a write to the same address returns the new data. The design never
// uses data read from an address in the cycle that address is written (docs/RTL.md), so
// no_rw_check spares Yosys the bypass logic it would add to emulate read-first behaviour.
module sdp_ram #(
    parameter int WIDTH = 16,
    parameter int DEPTH = 1024,
    localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
    input  logic             clk,
    input  logic             wr_en,
    input  logic [AW-1:0]    wr_addr,
    input  logic [WIDTH-1:0] wr_data,
    input  logic [AW-1:0]    rd_addr,
    output logic [WIDTH-1:0] rd_data
);
  (* no_rw_check *) logic [WIDTH-1:0] mem [DEPTH];

  always_ff @(posedge clk) begin
    if (wr_en) mem[wr_addr] <= wr_data;
    rd_data <= mem[rd_addr];
  end
endmodule
