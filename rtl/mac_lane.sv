// One MAC lane, one DSP48: input registers (A/B), then acc <= (first ? 0 : acc) + w * v.
module mac_lane (
    input  logic               clk,
    input  logic signed [15:0] weight,
    input  logic signed [15:0] value,
    input  logic               enable,   // a word is in this cycle's inputs
    input  logic               first,    // its chunk is the first of a batch
    output logic signed [47:0] acc       // two cycles after the inputs
);
  logic signed [15:0] weight_r, value_r;
  logic               enable_r, first_r;

  // Each lane keeps its own copy of the control registers: merged into one (which synthesis
  // does with identical registers) each would drive the 48 accumulator bits of every lane.
  (* keep *) always_ff @(posedge clk) begin
    enable_r <= enable;
    first_r  <= first;
  end

  always_ff @(posedge clk) begin
    weight_r <= weight;
    value_r  <= value;
    if (enable_r) acc <= (first_r ? 48'sd0 : acc) + weight_r * value_r;
  end
endmodule
