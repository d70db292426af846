// Simple dual-port RAM: one write port, one synchronous read port (infers block RAM or LUT RAM).
// A read in the cycle after a write to the same address returns the new data. The design never
// uses data read from an address in the cycle that address is written (docs/RTL.md), so
// no_rw_check spares Yosys the bypass logic it would add to emulate read-first behaviour.
// RAM_STYLE "ultra" or "block" pins the memory (Vivado's ram_style); "" leaves it to the tool.
module sdp_ram #(
    parameter int    WIDTH     = 16,
    parameter int    DEPTH     = 1024,
    // "ultra", "block" or "" (Yosys takes no string type: five characters of 8 bits)
    parameter logic [39:0] RAM_STYLE = "",
    localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
    input  logic             clk,
    input  logic             wr_en,
    input  logic [AW-1:0]    wr_addr,
    input  logic [WIDTH-1:0] wr_data,
    input  logic [AW-1:0]    rd_addr,
    output logic [WIDTH-1:0] rd_data
);
  // One declaration per style: tools do not reliably take an attribute's value from a parameter.
  if (RAM_STYLE == "ultra") begin : ultra
    (* no_rw_check, ram_style = "ultra" *) logic [WIDTH-1:0] mem [DEPTH];
    always_ff @(posedge clk) begin
      if (wr_en) mem[wr_addr] <= wr_data;
      rd_data <= mem[rd_addr];
    end
  end else if (RAM_STYLE == "block") begin : block
    (* no_rw_check, ram_style = "block" *) logic [WIDTH-1:0] mem [DEPTH];
    always_ff @(posedge clk) begin
      if (wr_en) mem[wr_addr] <= wr_data;
      rd_data <= mem[rd_addr];
    end
  end else begin : inferred
    (* no_rw_check *) logic [WIDTH-1:0] mem [DEPTH];
    always_ff @(posedge clk) begin
      if (wr_en) mem[wr_addr] <= wr_data;
      rd_data <= mem[rd_addr];
    end
  end
endmodule
