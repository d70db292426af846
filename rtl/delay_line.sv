// A value DELAY cycles later (DELAY >= 1): the tags that travel beside the datapath.
module delay_line #(
    parameter int WIDTH = 1,
    parameter int DELAY = 1
) (
    input  logic             clk,
    input  logic [WIDTH-1:0] in,
    output logic [WIDTH-1:0] out
);
  logic [DELAY-1:0][WIDTH-1:0] stage;
  always_ff @(posedge clk) begin
    stage[0] <= in;
    for (int d = 1; d < DELAY; d++) stage[d] <= stage[d-1];
  end
  assign out = stage[DELAY-1];
endmodule
