// sharp_top: the accelerator's one entry point (docs/ARCHITECTURE.md §7), and the contract's
// opcodes and status bits. `cell`, `state`, `batch` and `max_batch` (version 2) follow the outputs so that Vitis,
// which assigns offsets in argument order, moves no register of version 1.
#ifndef SHARP_TOP_H
#define SHARP_TOP_H

// The tree's N row sums travel as one word of N * sum_bits (up to 64 x 44 bits) through the
// delay line of sharp_run.h; UG1399 allows ap_[u]int up to 4096 bits with this macro, set before
// the first ap_int.h.
#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 4096
#endif
#include <ap_axi_sdata.h>
#include <ap_int.h>
#include <hls_stream.h>

#include "sharp_config.h"
#include "sharp_fixed.h"

typedef ap_axiu<64, 0, 0, 0> axis_beat;

namespace sharp {

constexpr unsigned CONTRACT_VERSION = 2;

enum opcode_t { OP_INFO = 0, OP_LOAD_WEIGHTS = 1, OP_LOAD_BIAS = 2, OP_LOAD_TABLES = 3, OP_RUN = 4 };

constexpr unsigned STATUS_EARLY_TLAST = 1;
constexpr unsigned STATUS_MISSING_TLAST = 2;
constexpr unsigned STATUS_BAD_ARGS = 4;
constexpr unsigned STATUS_BAD_OPCODE = 8;

constexpr unsigned MODE_SEQUENTIAL = 0;
constexpr unsigned MODE_OVERLAPPED = 1;

// The `state` register (§8, "Carried state"): in_stream starts with the initial state,
// out_stream ends with the state buffer.
constexpr unsigned STATE_IN = 1;
constexpr unsigned STATE_OUT = 2;

// The schedule latencies of §6 are latency<> in sharp_config.h.

constexpr unsigned INT16_PER_BEAT = 4;
constexpr unsigned TABLE_BEATS = 2 * TABLE_SIZE / INT16_PER_BEAT;

}  // namespace sharp

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
               ap_uint<32>* max_batch);

#endif
