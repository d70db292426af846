// The elementwise unit's state buffer (c_{t-1} of the LSTM, h_{t-1} of the GRU): four banks of
// 16-bit units, unit a in bank a mod 4 at a / 4. The elementwise unit's E <= 4 lanes read and
// write E consecutive units a cycle (lane k unit first + k, in distinct banks); an initial state
// is written, and a final state read, a whole out_stream beat of four units a cycle (§8,
// "Carried state"), one unit per bank at the same address: no rotation on that port.
// The beat ports' selects are registered flags, so they add one 2:1 mux before each bank.
module state_buffer #(
    parameter int DEPTH = 512,   // MAX_HIDDEN, a multiple of 4
    parameter int E     = 1,
    localparam int AW   = (DEPTH > 1) ? $clog2(DEPTH) : 1,
    localparam int BD   = (DEPTH + 3) / 4,
    localparam int BAW  = (BD > 1) ? $clog2(BD) : 1
) (
    input  logic                 clk,
    // the elementwise lanes
    input  logic [E-1:0]         wr_en,        // lane k writes unit wr_first + k
    input  logic [AW-1:0]        wr_first,
    input  logic [E-1:0][15:0]   wr_data,
    input  logic [AW-1:0]        rd_first,     // lane k reads unit rd_first + k ...
    output logic [E-1:0][15:0]   rd_data,      // ... the cycle after
    // whole beats: units 4b .. 4b+3
    input  logic                 beat_wr_sel,  // the write port is the beat port's
    input  logic                 beat_wr_en,
    input  logic [BAW-1:0]       beat_wr,
    input  logic [63:0]          beat_wr_data,
    input  logic                 beat_rd_sel,  // the read port is the beat port's
    input  logic [BAW-1:0]       beat_rd,
    output logic [63:0]          beat_rd_data  // the cycle after
);
  logic [1:0] rd_offset_r;
  always_ff @(posedge clk) rd_offset_r <= rd_first[1:0];

  for (genvar b = 0; b < 4; b++) begin : bank
    // the lane whose unit falls in this bank (mod-4 wrap of the 2-bit difference)
    logic [1:0]    wr_lane, rd_lane;
    logic [AW-1:0] lane_wr_addr, lane_rd_addr;
    logic          lane_en, en;
    logic [15:0]   lane_data, data;
    logic [BAW-1:0] wr_addr, rd_addr;
    assign wr_lane      = 2'(b) - wr_first[1:0];
    assign rd_lane      = 2'(b) - rd_first[1:0];
    assign lane_wr_addr = wr_first + AW'(wr_lane);
    assign lane_rd_addr = rd_first + AW'(rd_lane);
    always_comb begin
      lane_en   = 1'b0;
      lane_data = wr_data[0];
      for (int k = 0; k < E; k++)
        if (32'(wr_lane) == k) begin
          lane_en   = wr_en[k];
          lane_data = wr_data[k];
        end
    end
    assign en      = beat_wr_sel ? beat_wr_en : lane_en;
    assign data    = beat_wr_sel ? beat_wr_data[16*b +: 16] : lane_data;
    assign wr_addr = beat_wr_sel ? beat_wr : BAW'(lane_wr_addr >> 2);
    assign rd_addr = beat_rd_sel ? beat_rd : BAW'(lane_rd_addr >> 2);
    sdp_ram #(.WIDTH(16), .DEPTH(BD)) ram (
        .clk, .wr_en(en), .wr_addr, .wr_data(data), .rd_addr,
        .rd_data(beat_rd_data[16*b +: 16]));
  end

  always_comb begin
    for (int k = 0; k < E; k++) begin
      rd_data[k] = '0;
      for (int b = 0; b < 4; b++)
        if (rd_offset_r + 2'(k) == 2'(b)) rd_data[k] = beat_rd_data[16*b +: 16];
    end
  end
endmodule
