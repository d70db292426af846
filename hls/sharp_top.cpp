// sharp_top: decodes the opcode, checks the arguments against the build, runs the LOAD or RUN
// kernel and writes every output register (docs/ARCHITECTURE.md §7). The buffers are static:
// they persist across calls, as BRAM does across ap_start.
#include "sharp_top.h"

#include "sharp_load.h"
#include "sharp_run.h"

using namespace sharp;

typedef build_config config_t;

void sharp_top(hls::stream<axis_beat>& in_stream, hls::stream<axis_beat>& out_stream,
               ap_uint<32> opcode, ap_uint<32> input_size, ap_uint<32> hidden_size, ap_uint<32> steps,
               ap_uint<32> mode, ap_uint<32> group_x, ap_uint<32> group_h, ap_uint<32> shift_x,
               ap_uint<32> shift_h, ap_uint<32> wx_base, ap_uint<32> wh_base, ap_uint<32> bias_base,
               ap_uint<32> load_base, ap_uint<32> load_count,
               ap_uint<32>* cycles_lo, ap_uint<32>* cycles_hi, ap_uint<32>* active_lo,
               ap_uint<32>* active_hi, ap_uint<32>* issue_cycles, ap_uint<32>* stall_input,
               ap_uint<32>* stall_dependency, ap_uint<32>* stall_output, ap_uint<32>* status,
               ap_uint<32>* build_info, ap_uint<32>* capacity_info, ap_uint<32>* weight_depth,
               ap_uint<32>* bias_depth, ap_uint<32> cell, ap_uint<32> state, ap_uint<32> batch,
               ap_uint<32>* max_batch) {
// The offsets pin the register map of §7 (sharp.regmap) whatever the tool version would choose.
#pragma HLS INTERFACE mode=axis port=in_stream
#pragma HLS INTERFACE mode=axis port=out_stream
#pragma HLS INTERFACE mode=s_axilite port=opcode bundle=control offset=0x10
#pragma HLS INTERFACE mode=s_axilite port=input_size bundle=control offset=0x18
#pragma HLS INTERFACE mode=s_axilite port=hidden_size bundle=control offset=0x20
#pragma HLS INTERFACE mode=s_axilite port=steps bundle=control offset=0x28
#pragma HLS INTERFACE mode=s_axilite port=mode bundle=control offset=0x30
#pragma HLS INTERFACE mode=s_axilite port=group_x bundle=control offset=0x38
#pragma HLS INTERFACE mode=s_axilite port=group_h bundle=control offset=0x40
#pragma HLS INTERFACE mode=s_axilite port=shift_x bundle=control offset=0x48
#pragma HLS INTERFACE mode=s_axilite port=shift_h bundle=control offset=0x50
#pragma HLS INTERFACE mode=s_axilite port=wx_base bundle=control offset=0x58
#pragma HLS INTERFACE mode=s_axilite port=wh_base bundle=control offset=0x60
#pragma HLS INTERFACE mode=s_axilite port=bias_base bundle=control offset=0x68
#pragma HLS INTERFACE mode=s_axilite port=load_base bundle=control offset=0x70
#pragma HLS INTERFACE mode=s_axilite port=load_count bundle=control offset=0x78
#pragma HLS INTERFACE mode=s_axilite port=cycles_lo bundle=control offset=0x80
#pragma HLS INTERFACE mode=s_axilite port=cycles_hi bundle=control offset=0x88
#pragma HLS INTERFACE mode=s_axilite port=active_lo bundle=control offset=0x90
#pragma HLS INTERFACE mode=s_axilite port=active_hi bundle=control offset=0x98
#pragma HLS INTERFACE mode=s_axilite port=issue_cycles bundle=control offset=0xA0
#pragma HLS INTERFACE mode=s_axilite port=stall_input bundle=control offset=0xA8
#pragma HLS INTERFACE mode=s_axilite port=stall_dependency bundle=control offset=0xB0
#pragma HLS INTERFACE mode=s_axilite port=stall_output bundle=control offset=0xB8
#pragma HLS INTERFACE mode=s_axilite port=status bundle=control offset=0xC0
#pragma HLS INTERFACE mode=s_axilite port=build_info bundle=control offset=0xC8
#pragma HLS INTERFACE mode=s_axilite port=capacity_info bundle=control offset=0xD0
#pragma HLS INTERFACE mode=s_axilite port=weight_depth bundle=control offset=0xD8
#pragma HLS INTERFACE mode=s_axilite port=bias_depth bundle=control offset=0xE0
#pragma HLS INTERFACE mode=s_axilite port=cell bundle=control offset=0xE8
#pragma HLS INTERFACE mode=s_axilite port=state bundle=control offset=0xF0
#pragma HLS INTERFACE mode=s_axilite port=batch bundle=control offset=0xF8
#pragma HLS INTERFACE mode=s_axilite port=max_batch bundle=control offset=0x100
#pragma HLS INTERFACE mode=s_axilite port=return bundle=control

    // Storage of every array (docs/HLS.md, "Buffers"; overlay/check_resources.py models each).
    // weight buffer: one RAM per tile of WDEPTH wide words (K packed int16), read whole every
    // cycle; N wide RAMs instead of P narrow ones, the first uram_tiles in UltraRAM (the board's
    // split, sharp_config.h), the others in block RAM
    static tile_word<config_t> weights_uram[config_t::uram_banks][config_t::weight_depth];
#pragma HLS ARRAY_PARTITION variable=weights_uram complete dim=1
#pragma HLS BIND_STORAGE variable=weights_uram type=ram_s2p impl=uram
    static tile_word<config_t> weights_bram[config_t::bram_banks][config_t::weight_depth];
#pragma HLS ARRAY_PARTITION variable=weights_bram complete dim=1
#pragma HLS BIND_STORAGE variable=weights_bram type=ram_s2p impl=bram
    // biases: unit j in bank j % E at line j / E, two 64-bit halves, (b_i, b_f) and (b_g, b_o) of
    // an LSTM or (b_r, b_u) and (b_in, b_hn) of a GRU, one LOAD beat each; the elementwise unit
    // reads E units a cycle
    static ap_uint<64> bias[config_t::bias_lines][config_t::ew_lanes][2];
#pragma HLS ARRAY_PARTITION variable=bias complete dim=2
#pragma HLS ARRAY_PARTITION variable=bias complete dim=3
#pragma HLS BIND_STORAGE variable=bias type=ram_s2p impl=bram
    // activation tables, 1024 words of four int16 (one LOAD beat a word), one copy set per
    // elementwise lane, each copy in two banks, even and odd words (cyclic factor 2): an
    // interpolated lookup reads T[k] and T[k+1], one word of each bank (sharp_fixed.h,
    // table_lookup), so a bank's two ports serve two lookups a cycle. An LSTM unit looks the
    // sigmoid up three times (sig_if: i and f; sig_o: o) and tanh twice (g, and tanh_c(c_t) five
    // stages later); a GRU unit looks up sig_if twice (r, u) and tanh once (n, on the ports of
    // tanh_c(c_t))
    static ap_uint<64> sig_if[config_t::ew_lanes][config_t::table_words],
        sig_o[config_t::ew_lanes][config_t::table_words], tanh_lut[config_t::ew_lanes][config_t::table_words];
#pragma HLS ARRAY_PARTITION variable=sig_if complete dim=1
#pragma HLS ARRAY_PARTITION variable=sig_o complete dim=1
#pragma HLS ARRAY_PARTITION variable=tanh_lut complete dim=1
#pragma HLS ARRAY_PARTITION variable=sig_if cyclic factor=2 dim=2
#pragma HLS ARRAY_PARTITION variable=sig_o cyclic factor=2 dim=2
#pragma HLS ARRAY_PARTITION variable=tanh_lut cyclic factor=2 dim=2
#pragma HLS BIND_STORAGE variable=sig_if type=ram_2p impl=bram
#pragma HLS BIND_STORAGE variable=sig_o type=ram_2p impl=bram
#pragma HLS BIND_STORAGE variable=tanh_lut type=ram_2p impl=bram
    // x_t, two slots by item parity, and h_t, two slots per sequence (slot 2b + (t mod 2)); the
    // slot is an address bit / the high address, lines of P int16 as P/4 columns of 64 bits: a
    // beat is one column write, an issue reads one line from every column
    static ap_uint<64> x_buf[2][config_t::x_lines][config_t::columns];
#pragma HLS ARRAY_PARTITION variable=x_buf complete dim=3
#pragma HLS BIND_STORAGE variable=x_buf type=ram_s2p impl=lutram
    static ap_uint<64> h_buf[config_t::h_slots][config_t::h_lines][config_t::columns];
#pragma HLS ARRAY_PARTITION variable=h_buf complete dim=3
#pragma HLS BIND_STORAGE variable=h_buf type=ram_s2p impl=lutram
    // row sums in NB banks: the x projection (slot 2b + (t mod 2); 34 bits, the bias is added by
    // the elementwise unit) and the recurrent sums (slot b). With 2 MAX_BATCH and MAX_BATCH slots
    // a bank is 16 and 8 times deeper than one sequence's, so block RAM (one read and one write
    // per bank per cycle, as before)
    static xp_t xproj[config_t::xp_slots][config_t::sum_lines][config_t::row_banks];
#pragma HLS ARRAY_PARTITION variable=xproj complete dim=3
#pragma HLS BIND_STORAGE variable=xproj type=ram_s2p impl=bram
    static q32_t recurrent[config_t::max_batch][config_t::sum_lines][config_t::row_banks];
#pragma HLS ARRAY_PARTITION variable=recurrent complete dim=3
#pragma HLS BIND_STORAGE variable=recurrent type=ram_s2p impl=bram
    // the state buffer, slot b per sequence, 25-bit units: c of an LSTM (Q.20) or h_{t-1} of a
    // GRU, in four banks (unit j in bank j % 4): E units read and written per cycle, or one beat
    // of a carried state (§8: four h or two c); MAX_BATCH slots deep, so block RAM
    static c25_t state_buf[config_t::max_batch][config_t::state_lines][config_t::state_banks];
#pragma HLS ARRAY_PARTITION variable=state_buf complete dim=3
#pragma HLS BIND_STORAGE variable=state_buf type=ram_s2p impl=bram

    run_counters n;
    n.cycles = 0;
    n.active = 0;
    n.issue = 0;
    n.stall_input = 0;
    n.stall_dependency = 0;
    n.stall_output = 0;
    unsigned st = 0;
    unsigned long long load_beats = 0;  // busy cycles of a LOAD: one beat per cycle

    switch ((unsigned)opcode) {
    case OP_INFO:
        break;
    case OP_LOAD_WEIGHTS:
        if (load_range_fits(load_base, load_count, config_t::weight_depth)) {
            st = load_weights<config_t>(in_stream, weights_uram, weights_bram, load_base, load_count);
            load_beats = (unsigned long long)load_count * (config_t::macs / INT16_PER_BEAT);
        } else {
            st = STATUS_BAD_ARGS;
        }
        break;
    case OP_LOAD_BIAS:
        if (load_range_fits(load_base, load_count, config_t::bias_depth)) {
            st = load_bias<config_t>(in_stream, bias, load_base, load_count);
            load_beats = 2ull * load_count;
        } else {
            st = STATUS_BAD_ARGS;
        }
        break;
    case OP_LOAD_TABLES:
        st = load_tables<config_t>(in_stream, sig_if, sig_o, tanh_lut);
        load_beats = TABLE_BEATS;
        break;
    case OP_RUN: {
        run_args a;
        a.input_size = input_size;
        a.hidden_size = hidden_size;
        a.steps = steps;
        a.mode = mode;
        a.group_x = group_x;
        a.group_h = group_h;
        a.shift_x = shift_x;
        a.shift_h = shift_h;
        a.wx_base = wx_base;
        a.wh_base = wh_base;
        a.bias_base = bias_base;
        a.cell = cell;
        a.state = state;
        a.batch = batch;
        phase_map<config_t> map_x, map_h;
        if (run_args_fit<config_t>(a, map_x, map_h)) {
            st = run_layer<config_t>(in_stream, out_stream, a, map_x, map_h, weights_uram, weights_bram, bias, sig_if, sig_o, tanh_lut,
                                     x_buf, h_buf, xproj, recurrent, state_buf, n);
        } else {
            st = STATUS_BAD_ARGS;
        }
        break;
    }
    default:
        st = STATUS_BAD_OPCODE;
        break;
    }
    if ((unsigned)opcode != OP_RUN || st == STATUS_BAD_ARGS) {
        n.cycles = latency<config_t>::start + load_beats + latency<config_t>::end;
    }

    *cycles_lo = ap_uint<32>(n.cycles);
    *cycles_hi = ap_uint<32>(n.cycles >> 32);
    *active_lo = ap_uint<32>(n.active);
    *active_hi = ap_uint<32>(n.active >> 32);
    *issue_cycles = n.issue;
    *stall_input = n.stall_input;
    *stall_dependency = n.stall_dependency;
    *stall_output = n.stall_output;
    *status = st;
    *build_info = config_t::tiles | (config_t::lanes << 8) | (LUT_BITS << 16) | (CONTRACT_VERSION << 24);
    *capacity_info = config_t::max_input | (config_t::max_hidden << 16);
    *weight_depth = config_t::weight_depth;
    *bias_depth = config_t::bias_depth;
    *max_batch = config_t::max_batch;
}
