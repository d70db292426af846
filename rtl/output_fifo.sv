// out_stream: a small first-word-fall-through FIFO of beats {TLAST, TDATA}.
module output_fifo #(
    parameter int DEPTH = 8,
    localparam int AW   = $clog2(DEPTH)
) (
    input  logic        clk,
    input  logic        rst,
    input  logic        push,
    input  logic [63:0] push_data,
    input  logic        push_last,
    output logic        empty,
    output logic        pop,          // a beat left this cycle
    output logic [63:0] tdata,
    output logic        tvalid,
    input  logic        tready,
    output logic        tlast
);
  logic [64:0]   mem [DEPTH];
  logic [AW-1:0] rd_ptr, wr_ptr;
  logic [AW:0]   count;

  assign empty  = count == 0;
  assign tvalid = !empty;
  assign pop    = tvalid && tready;
  assign {tlast, tdata} = mem[rd_ptr];

  always_ff @(posedge clk) begin
    if (push) mem[wr_ptr] <= {push_last, push_data};
    if (rst) begin
      rd_ptr <= '0;
      wr_ptr <= '0;
      count  <= '0;
    end else begin
      if (push) wr_ptr <= wr_ptr + 1'b1;
      if (pop) rd_ptr <= rd_ptr + 1'b1;
      count <= count + (AW+1)'(push) - (AW+1)'(pop);
    end
  end
endmodule
