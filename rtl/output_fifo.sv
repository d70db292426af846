// out_stream: a small first-word-fall-through FIFO of beats {TLAST, TDATA}, taking up to PUSH
// beats a cycle (the pushed ones a prefix, in order).
module output_fifo #(
    parameter int DEPTH = 8,
    parameter int PUSH  = 1,
    localparam int AW   = $clog2(DEPTH)
) (
    input  logic        clk,
    input  logic        rst,
    input  logic [PUSH-1:0]       push,
    input  logic [PUSH-1:0][63:0] push_data,
    input  logic [PUSH-1:0]       push_last,
    output logic        empty,
    output logic        pop,          // a beat left this cycle
    output logic [63:0] tdata,
    output logic        tvalid,
    input  logic        tready,
    output logic        tlast
);
  logic [64:0]   mem [DEPTH];
  logic [AW-1:0] rd_ptr, wr_ptr;
  logic [AW:0]   count, pushed;

  always_comb begin
    pushed = '0;
    for (int s = 0; s < PUSH; s++) pushed = pushed + (AW+1)'(push[s]);
  end

  assign empty  = count == 0;
  assign tvalid = !empty;
  assign pop    = tvalid && tready;
  assign {tlast, tdata} = mem[rd_ptr];

  always_ff @(posedge clk) begin
    for (int s = 0; s < PUSH; s++)
      if (push[s]) mem[wr_ptr + AW'(s)] <= {push_last[s], push_data[s]};
    if (rst) begin
      rd_ptr <= '0;
      wr_ptr <= '0;
      count  <= '0;
    end else begin
      wr_ptr <= wr_ptr + AW'(pushed);
      if (pop) rd_ptr <= rd_ptr + 1'b1;
      count <= count + pushed - (AW+1)'(pop);
    end
  end
endmodule
