// The elementwise unit's state buffer (c_{t-1} of the LSTM, 25 bits; h_{t-1} of the GRU, 16 bits
// sign-extended), one slot per sequence of a batch: four banks of 25-bit units, unit a of slot b
// in bank a mod 4 at b 2^BAW + a / 4. The elementwise
// unit's E <= 4 lanes read and write E consecutive units a cycle (lane k unit first + k, in
// distinct banks). An initial state is written, and a final state read, a whole stream beat a
// cycle (§8, "Carried state"): four h of a GRU (units 4b .. 4b+3, one per bank at b), or two c
// of an LSTM (units 2b, 2b+1: banks 2(b mod 2) and 2(b mod 2) + 1 at b / 2). The beat ports'
// selects are registered flags, so they add one 2:1 mux before each bank.
module state_buffer #(
    parameter int DEPTH = 512,   // MAX_HIDDEN, a multiple of 4
    parameter int E     = 1,
    parameter int MAX_BATCH = 8,
    localparam int AW   = (DEPTH > 1) ? $clog2(DEPTH) : 1,
    localparam int BD   = (DEPTH + 3) / 4,
    localparam int BAW  = (BD > 1) ? $clog2(BD) : 1,
    localparam int CAW  = BAW + 1,  // c beats: twice as many
    localparam int SBW  = (MAX_BATCH > 1) ? $clog2(MAX_BATCH) : 1,
    localparam int SAW  = $clog2(MAX_BATCH << BAW)   // slot and address
) (
    input  logic                 clk,
    input  logic                 wide,         // the beats hold two int32 c (LSTM), not four h
    // the elementwise lanes
    input  logic [E-1:0]         wr_en,        // lane k writes unit wr_first + k
    input  logic [SBW-1:0]       wr_slot,      // of this slot (the beat port's too)
    input  logic [AW-1:0]        wr_first,
    input  logic [E-1:0][24:0]   wr_data,
    input  logic [AW-1:0]        rd_first,     // lane k reads unit rd_first + k ...
    input  logic [SBW-1:0]       rd_slot,      // ... of this slot (the beat port's too) ...
    output logic [E-1:0][24:0]   rd_data,      // ... the cycle after
    // whole beats
    input  logic                 beat_wr_sel,  // the write port is the beat port's
    input  logic                 beat_wr_en,
    input  logic [CAW-1:0]       beat_wr,
    input  logic [63:0]          beat_wr_data,
    input  logic                 beat_rd_sel,  // the read port is the beat port's
    input  logic [CAW-1:0]       beat_rd,
    output logic [63:0]          beat_rd_data  // the cycle after
);
  logic [1:0] rd_offset_r;
  logic       wide_half_r;   // the pair of banks a c beat read
  always_ff @(posedge clk) begin
    rd_offset_r <= rd_first[1:0];
    wide_half_r <= beat_rd[0];
  end

  logic [3:0][24:0] bank_rd;
  for (genvar b = 0; b < 4; b++) begin : bank
    // the lane whose unit falls in this bank (mod-4 wrap of the 2-bit difference)
    logic [1:0]    wr_lane, rd_lane;
    logic [AW-1:0] lane_wr_addr, lane_rd_addr;
    logic          lane_en, beat_en, en;
    logic [24:0]   lane_data, beat_data, data;
    logic [BAW-1:0] wr_addr, rd_addr, beat_wr_addr, beat_rd_addr;
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
    // a c beat writes the pair of banks its units fall in; an h beat all four
    assign beat_en      = beat_wr_en && (!wide || beat_wr[0] == 1'(b / 2));
    assign beat_data    = wide ? beat_wr_data[32*(b % 2) +: 25]
                               : 25'($signed(beat_wr_data[16*b +: 16]));
    assign beat_wr_addr = wide ? BAW'(beat_wr >> 1) : BAW'(beat_wr);
    assign beat_rd_addr = wide ? BAW'(beat_rd >> 1) : BAW'(beat_rd);
    assign en      = beat_wr_sel ? beat_en : lane_en;
    assign data    = beat_wr_sel ? beat_data : lane_data;
    assign wr_addr = beat_wr_sel ? beat_wr_addr : BAW'(lane_wr_addr >> 2);
    assign rd_addr = beat_rd_sel ? beat_rd_addr : BAW'(lane_rd_addr >> 2);
    sdp_ram #(.WIDTH(25), .DEPTH(MAX_BATCH << BAW)) ram (
        .clk, .wr_en(en), .wr_addr(SAW'({wr_slot, wr_addr})), .wr_data(data),
        .rd_addr(SAW'({rd_slot, rd_addr})), .rd_data(bank_rd[b]));
  end

  always_comb begin
    for (int k = 0; k < E; k++) begin
      rd_data[k] = '0;
      for (int b = 0; b < 4; b++)
        if (rd_offset_r + 2'(k) == 2'(b)) rd_data[k] = bank_rd[b];
    end
    if (wide)   // the registered pair, each c sign-extended to int32
      for (int k = 0; k < 2; k++)
        beat_rd_data[32*k +: 32] = 32'($signed(bank_rd[2 * wide_half_r + k]));
    else
      for (int b = 0; b < 4; b++) beat_rd_data[16*b +: 16] = bank_rd[b][15:0];
  end
endmodule
