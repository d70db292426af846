// A value DELAY cycles later (DELAY >= 1): the tags that travel beside the datapath. Reset
// empties it, so no tag issued before a reset acts after it.
module delay_line #(
    parameter int WIDTH = 1,
    parameter int DELAY = 1
) (
    input  logic             clk,
    input  logic             rst,
    input  logic [WIDTH-1:0] in,
    output logic [WIDTH-1:0] out
);
  logic [DELAY-1:0][WIDTH-1:0] stage;
  always_ff @(posedge clk) begin
    if (rst) begin
      stage <= '0;
    end else begin
      stage[0] <= in;
      for (int d = 1; d < DELAY; d++) stage[d] <= stage[d-1];
    end
  end
  assign out = stage[DELAY-1];
endmodule
