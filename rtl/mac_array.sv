// N tiles of K lanes; lane l = n*K + k multiplies weight lane l by broadcast element l.
module mac_array #(
    parameter int N = 8,
    parameter int K = 16,
    localparam int P = N * K
) (
    input  logic            clk,
    input  logic [P*16-1:0] weights,
    input  logic [P*16-1:0] values,
    input  logic            enable,
    input  logic            first,
    output logic [P*48-1:0] acc
);
  for (genvar l = 0; l < P; l++) begin : lane
    mac_lane mac (
        .clk,
        .weight(weights[16*l +: 16]),
        .value (values[16*l +: 16]),
        .enable,
        .first,
        .acc   (acc[48*l +: 48])
    );
  end
endmodule
