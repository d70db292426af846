// s_axi_control: the Vitis HLS ap_ctrl_hs register block (docs/ARCHITECTURE.md §7).
// 0x00 CTRL, 0x04 GIE, 0x08 IER, 0x0C ISR, arguments from 0x10 (one 8-byte slot each), then
// outputs (data at the slot, ap_vld clear-on-read at slot + 4), then the arguments of contract
// version 2 (cell at 0xE8, state at 0xF0, batch at 0xF8) and the output of version 2 (max_batch
// at 0x100): 9-bit addresses.
module axi_lite_control
(
    input  logic        clk,
    input  logic        rst,

    input  logic        awvalid,
    output logic        awready,
    input  logic [8:0]  awaddr,
    input  logic        wvalid,
    output logic        wready,
    input  logic [31:0] wdata,
    input  logic [3:0]  wstrb,
    output logic        bvalid,
    input  logic        bready,
    output logic [1:0]  bresp,
    input  logic        arvalid,
    output logic        arready,
    input  logic [8:0]  araddr,
    output logic        rvalid,
    input  logic        rready,
    output logic [31:0] rdata,
    output logic [1:0]  rresp,
    output logic        interrupt,

    // to the core
    output logic                           ap_start,
    output logic [sharp_pkg::NUM_ARGS-1:0][31:0]      args,
    input  logic                           ap_idle,
    input  logic                           ap_done,      // one-cycle pulse: the operation ends
    input  logic [sharp_pkg::NUM_OUTPUTS-1:0][31:0]   results       // sampled when ap_done
);
  localparam logic [8:0] ADDR_CTRL = 9'h00, ADDR_GIE = 9'h04, ADDR_IER = 9'h08, ADDR_ISR = 9'h0C;
  localparam logic [8:0] ADDR_ARGS = 9'h10;
  localparam logic [8:0] ADDR_OUTS = ADDR_ARGS + 9'(8 * sharp_pkg::NUM_ARGS_V1);
  localparam logic [8:0] ADDR_ARGS_V2 = ADDR_OUTS + 9'(8 * sharp_pkg::NUM_OUTPUTS_V1);
  localparam logic [8:0] ADDR_OUTS_V2 =
      ADDR_ARGS_V2 + 9'(8 * (sharp_pkg::NUM_ARGS - sharp_pkg::NUM_ARGS_V1));

  // the offset of argument a: version-1 arguments before the outputs, version-2 ones after
  function automatic logic [8:0] arg_address(input int a);
    arg_address = a < sharp_pkg::NUM_ARGS_V1 ? ADDR_ARGS + 9'(8 * a)
                                             : ADDR_ARGS_V2 + 9'(8 * (a - sharp_pkg::NUM_ARGS_V1));
  endfunction
  // the offset of output o: version-1 outputs after the version-1 arguments, version-2 ones last
  function automatic logic [8:0] out_address(input int o);
    out_address = o < sharp_pkg::NUM_OUTPUTS_V1
                  ? ADDR_OUTS + 9'(8 * o)
                  : ADDR_OUTS_V2 + 9'(8 * (o - sharp_pkg::NUM_OUTPUTS_V1));
  endfunction

  logic       start_reg, done_reg, ready_reg, auto_restart, gie;
  logic [1:0] ier, isr;
  logic [sharp_pkg::NUM_OUTPUTS-1:0][31:0] out_data;
  logic [sharp_pkg::NUM_OUTPUTS-1:0]       out_vld;

  // Registers are 32-bit words: a byte access (unaligned address, one WSTRB bit) addresses the
  // word that holds the byte.
  function automatic logic [8:0] word_address(input logic [8:0] addr);
    word_address = {addr[8:2], 2'b00};
  endfunction

  // ---- write channel: address, then data, then response (as Vitis generates it)
  typedef enum logic [1:0] {W_ADDR, W_DATA, W_RESP} wstate_t;
  wstate_t     wstate;
  logic [8:0]  waddr;
  logic        do_write;

  assign awready  = (wstate == W_ADDR);
  assign wready   = (wstate == W_DATA);
  assign bvalid   = (wstate == W_RESP);
  assign bresp    = 2'b00;
  assign do_write = wvalid && wready;

  always_ff @(posedge clk) begin
    if (rst) begin
      wstate <= W_ADDR;
      waddr  <= '0;
    end else begin
      unique case (wstate)
        W_ADDR: if (awvalid) begin waddr <= word_address(awaddr); wstate <= W_DATA; end
        W_DATA: if (wvalid) wstate <= W_RESP;
        W_RESP: if (bready) wstate <= W_ADDR;
        default: wstate <= W_ADDR;
      endcase
    end
  end

  function automatic logic [31:0] merge(input logic [31:0] old, input logic [31:0] data,
                                        input logic [3:0] strb);
    for (int b = 0; b < 4; b++)
      if (strb[b]) old[8*b +: 8] = data[8*b +: 8];
    merge = old;
  endfunction

  // ---- read channel: address, then the register select (from the registered address: the
  // select spans 45 registers), then data
  typedef enum logic [1:0] {R_ADDR, R_SELECT, R_DATA} rstate_t;
  rstate_t     rstate;
  logic        do_read;   // the cycle the register is read (and its clear-on-read bits cleared)
  logic [31:0] read_value;
  logic [8:0]  raddr;

  assign arready = (rstate == R_ADDR);
  assign rvalid  = (rstate == R_DATA);
  assign rresp   = 2'b00;
  assign do_read = (rstate == R_SELECT);

  always_comb begin
    read_value = '0;
    if (raddr == ADDR_CTRL)
      read_value = {24'b0, auto_restart, 3'b0, ready_reg, ap_idle, done_reg, start_reg};
    else if (raddr == ADDR_GIE)
      read_value = {31'b0, gie};
    else if (raddr == ADDR_IER)
      read_value = {30'b0, ier};
    else if (raddr == ADDR_ISR)
      read_value = {30'b0, isr};
    else
      for (int a = 0; a < sharp_pkg::NUM_ARGS; a++)
        if (raddr == arg_address(a)) read_value = args[a];
    for (int o = 0; o < sharp_pkg::NUM_OUTPUTS; o++) begin
      if (raddr == out_address(o))          read_value = out_data[o];
      if (raddr == out_address(o) + 9'd4)   read_value = {31'b0, out_vld[o]};
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      rstate <= R_ADDR;
      raddr  <= '0;
      rdata  <= '0;
    end else begin
      unique case (rstate)
        R_ADDR: if (arvalid) begin raddr <= word_address(araddr); rstate <= R_SELECT; end
        R_SELECT: begin rdata <= read_value; rstate <= R_DATA; end
        R_DATA: if (rready) rstate <= R_ADDR;
        default: rstate <= R_ADDR;
      endcase
    end
  end

  // ---- control and status
  logic write_ctrl, read_ctrl;
  assign write_ctrl = do_write && waddr == ADDR_CTRL && wstrb[0];
  assign read_ctrl  = do_read && raddr == ADDR_CTRL;

  always_ff @(posedge clk) begin
    if (rst) begin
      start_reg    <= 1'b0;
      done_reg     <= 1'b0;
      ready_reg    <= 1'b0;
      auto_restart <= 1'b0;
      gie          <= 1'b0;
      ier          <= '0;
      isr          <= '0;
      args         <= '0;
      out_data     <= '0;
      out_vld      <= '0;
    end else begin
      // ap_start: set by the host, cleared when the core is ready (re-armed by auto_restart)
      if (write_ctrl && wdata[0]) start_reg <= 1'b1;
      else if (ap_done) start_reg <= auto_restart;
      if (write_ctrl) auto_restart <= wdata[7];

      // ap_done / ap_ready: set at the end of an operation, cleared when CTRL is read
      if (ap_done) begin
        done_reg  <= 1'b1;
        ready_reg <= 1'b1;
      end else if (read_ctrl) begin
        done_reg  <= 1'b0;
        ready_reg <= 1'b0;
      end

      if (do_write && waddr == ADDR_GIE && wstrb[0]) gie <= wdata[0];
      if (do_write && waddr == ADDR_IER && wstrb[0]) ier <= wdata[1:0];
      // ISR: set by events, toggled by writes
      for (int b = 0; b < 2; b++) begin
        if (ap_done && ier[b]) isr[b] <= 1'b1;
        else if (do_write && waddr == ADDR_ISR && wstrb[0] && wdata[b]) isr[b] <= ~isr[b];
      end

      for (int a = 0; a < sharp_pkg::NUM_ARGS; a++)
        if (do_write && waddr == arg_address(a)) args[a] <= merge(args[a], wdata, wstrb);

      // outputs: written at the end of every operation, ap_vld cleared when read
      for (int o = 0; o < sharp_pkg::NUM_OUTPUTS; o++) begin
        if (ap_done) begin
          out_data[o] <= results[o];
          out_vld[o]  <= 1'b1;
        end else if (do_read && raddr == out_address(o) + 9'd4) begin
          out_vld[o] <= 1'b0;
        end
      end
    end
  end

  assign ap_start  = start_reg;
  assign interrupt = gie && (|isr);
endmodule
