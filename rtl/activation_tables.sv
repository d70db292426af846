// The sigmoid and tanh tables (4096 int16 each), loaded 4 entries per beat. The elementwise unit
// reads three sigmoid entries (i, f, o) and two tanh entries (g, then tanh(c)) per unit, so
// each read has its own copy; all copies take every write.
module activation_tables (
    input  logic        clk,
    input  logic        wr_en,
    input  logic        wr_tanh,
    input  logic [9:0]  wr_addr,       // entries 4 * wr_addr .. + 3
    input  logic [63:0] wr_data,
    input  logic [2:0][11:0] sig_index,  // i, f, o
    input  logic [1:0][11:0] tanh_index, // g, c
    output logic [2:0][15:0] sig_value,  // the cycle after the index
    output logic [1:0][15:0] tanh_value
);
  for (genvar r = 0; r < 5; r++) begin : copy
    localparam bit IS_TANH = r >= 3;
    logic [11:0] index;
    logic [1:0]  entry;
    logic [63:0] entries;
    assign index = IS_TANH ? tanh_index[r - 3] : sig_index[r];
    sdp_ram #(.WIDTH(64), .DEPTH(1024)) ram (
        .clk,
        .wr_en  (wr_en && wr_tanh == IS_TANH),
        .wr_addr,
        .wr_data,
        .rd_addr(index[11:2]),
        .rd_data(entries)
    );
    always_ff @(posedge clk) entry <= index[1:0];
    if (IS_TANH) begin : tanh_out
      assign tanh_value[r - 3] = entries[16*entry +: 16];
    end else begin : sig_out
      assign sig_value[r] = entries[16*entry +: 16];
    end
  end
endmodule
