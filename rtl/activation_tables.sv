// The sigmoid and tanh tables (4096 int16 each), loaded 4 entries per beat. The elementwise unit
// looks up three sigmoid values (i, f, o) and two tanh values (g, then tanh(c)) per unit, so
// each lookup has its own copy (activation_lookup: both RAM ports, interpolated); all copies
// take every write.
module activation_tables (
    input  logic        clk,
    input  logic        wr_en,
    input  logic        wr_tanh,
    input  logic [9:0]  wr_addr,       // entries 4 * wr_addr .. + 3
    input  logic [63:0] wr_data,
    input  logic [2:0][11:0] sig_index,  // i, f, o
    input  logic [2:0][11:0] sig_next,   // k + 1 of each (activation_lookup)
    input  logic [2:0][12:0] sig_phi,
    input  logic [1:0][11:0] tanh_index, // g, c
    input  logic [1:0][11:0] tanh_next,
    input  logic [1:0][12:0] tanh_phi,
    output logic [2:0][15:0] sig_value,  // four cycles after the index
    output logic [1:0][15:0] tanh_value
);
  for (genvar r = 0; r < 5; r++) begin : copy
    localparam bit IS_TANH = r >= 3;
    logic [15:0] value;
    activation_lookup lookup (
        .clk,
        .wr_en  (wr_en && wr_tanh == IS_TANH),
        .wr_addr,
        .wr_data,
        .index  (IS_TANH ? tanh_index[r - 3] : sig_index[r]),
        .index_next(IS_TANH ? tanh_next[r - 3] : sig_next[r]),
        .phi    (IS_TANH ? tanh_phi[r - 3] : sig_phi[r]),
        .value
    );
    if (IS_TANH) begin : tanh_out
      assign tanh_value[r - 3] = value;
    end else begin : sig_out
      assign sig_value[r] = value;
    end
  end
endmodule
