// An activation table's RAM: one read/write port and one read port, the two ports of a block
// RAM. Writes come only from LOAD_TABLES, when nothing reads, so port A's address is the write
// address then and a read address otherwise; a lookup reads its two samples on ports A and B.
module table_ram #(
    parameter int WIDTH = 64,
    parameter int DEPTH = 1024,
    localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
    input  logic             clk,
    input  logic             wr_en,
    input  logic [AW-1:0]    wr_addr,
    input  logic [WIDTH-1:0] wr_data,
    input  logic [AW-1:0]    rd_addr_a,
    input  logic [AW-1:0]    rd_addr_b,
    output logic [WIDTH-1:0] rd_data_a,
    output logic [WIDTH-1:0] rd_data_b
);
  (* no_rw_check *) logic [WIDTH-1:0] mem [DEPTH];
  logic [AW-1:0] addr_a;
  assign addr_a = wr_en ? wr_addr : rd_addr_a;

  always_ff @(posedge clk) begin
    if (wr_en) mem[addr_a] <= wr_data;
    rd_data_a <= mem[addr_a];
    rd_data_b <= mem[rd_addr_b];
  end
endmodule
