// The RUN opcode: the scheduler of docs/ARCHITECTURE.md §6 as one loop pipelined at II=1,
// one iteration per clock cycle. Each iteration lets four stages act on the registers as
// they stood at the start of the cycle:
//   receiver    accepts one x beat into the x slot of its step (two slots, by parity);
//   scheduler   issues one weight word to the MAC array, or counts why it cannot;
//   scoreboard  a shift register of L_MAC entries: the rows of a phase-B batch become
//               readable L_MAC cycles after its last word issued;
//   elementwise updates the next hidden units in order whose four rows are readable, at
//               most E = max(1, N/8) per cycle (E copies of the cell datapath).
// The mode changes only the waits: mode 0 waits for h_{t-1} before A_t and for all of B_t's
// rows before the first unit; mode 1 waits for h_{t-1} before B_t and for each unit's rows.
#ifndef SHARP_RUN_H
#define SHARP_RUN_H

#include "sharp_banks.h"
#include "sharp_beats.h"
#include "sharp_cell.h"
#include "sharp_mac.h"

namespace sharp {

struct run_args {
    unsigned input_size, hidden_size, steps, mode, group_x, group_h, shift_x, shift_h;
    unsigned wx_base, wh_base, bias_base;
};

struct run_counters {
    ap_uint<64> cycles, active;
    ap_uint<32> issue, stall_input, stall_dependency, stall_output;
};

// How an R x L matrix at grouping m = 2^group is cut into words (§4).
struct matrix_map {
    unsigned cols, group;
    unsigned width_log2;  // w = 2^width_log2 lanes per group
    unsigned rows_log2;   // G = 2^rows_log2 rows per batch
    unsigned chunks, batches, words;
};

template <class CONFIG_T>
matrix_map map_matrix(unsigned rows, unsigned cols, unsigned group) {
#pragma HLS INLINE
    matrix_map m;
    m.cols = cols;
    m.group = group;
    m.width_log2 = CONFIG_T::log2_lanes + group;
    m.rows_log2 = CONFIG_T::log2_tiles - group;
    m.chunks = (cols + (1u << m.width_log2) - 1) >> m.width_log2;
    m.batches = (rows + (1u << m.rows_log2) - 1) >> m.rows_log2;
    m.words = m.batches * m.chunks;
    return m;
}

inline bool range_fits(unsigned base, unsigned count, unsigned depth) {
    return count <= depth && base <= depth - count;
}

// BAD_ARGS for a RUN: every size, grouping, shift and address range inside the build (§7).
template <class CONFIG_T>
bool run_args_fit(const run_args& a) {
    if (a.input_size < 1 || a.input_size > CONFIG_T::max_input) return false;
    if (a.hidden_size < 1 || a.hidden_size > CONFIG_T::max_hidden) return false;
    if (a.steps < 1 || a.mode > MODE_OVERLAPPED) return false;
    if (a.group_x > CONFIG_T::log2_tiles || a.group_h > CONFIG_T::log2_tiles) return false;
    if (a.shift_x > MAX_SHIFT || a.shift_h > MAX_SHIFT) return false;
    const unsigned rows = 4 * a.hidden_size;
    const matrix_map mx = map_matrix<CONFIG_T>(rows, a.input_size, a.group_x);
    const matrix_map mh = map_matrix<CONFIG_T>(rows, a.hidden_size, a.group_h);
    return range_fits(a.wx_base, mx.words, CONFIG_T::weight_depth) &&
           range_fits(a.wh_base, mh.words, CONFIG_T::weight_depth) &&
           range_fits(a.bias_base, a.hidden_size, CONFIG_T::bias_depth);
}

inline unsigned min_u(unsigned a, unsigned b) { return a < b ? a : b; }

// Returns the TLAST status bits; the counters go to `n`.
template <class CONFIG_T>
unsigned run_layer(hls::stream<axis_beat>& in, hls::stream<axis_beat>& out, const run_args& a,
                   const tile_word<CONFIG_T> weights[CONFIG_T::tiles][CONFIG_T::weight_depth],
                   const q32_t bias[CONFIG_T::bias_lines][CONFIG_T::row_banks],
                   const q16_t sig_if[CONFIG_T::ew_lanes][TABLE_SIZE],
                   const q16_t sig_o[CONFIG_T::ew_lanes][TABLE_SIZE],
                   const q16_t tanh_lut[CONFIG_T::ew_lanes][TABLE_SIZE],
                   q16_t x_slots[2][CONFIG_T::x_lines][CONFIG_T::macs],
                   q16_t h_slots[2][CONFIG_T::h_lines][CONFIG_T::macs],
                   q32_t xproj[2][CONFIG_T::sum_lines][CONFIG_T::row_banks],
                   q32_t recurrent[CONFIG_T::sum_lines][CONFIG_T::row_banks],
                   q16_t c_state[CONFIG_T::c_lines][CONFIG_T::ew_lanes], run_counters& n) {
    typedef latency<CONFIG_T> lat;
    constexpr unsigned E = CONFIG_T::ew_lanes;
    const unsigned rows = 4 * a.hidden_size;
    const matrix_map map_x = map_matrix<CONFIG_T>(rows, a.input_size, a.group_x);
    const matrix_map map_h = map_matrix<CONFIG_T>(rows, a.hidden_size, a.group_h);
    const unsigned beats_x = (a.input_size + INT16_PER_BEAT - 1) / INT16_PER_BEAT;
    const unsigned long long total_beats = (unsigned long long)a.steps * beats_x;
    unsigned status = 0;

    // receiver: x_t goes to x slot t & 1
    unsigned recv_step = 0, recv_beat = 0;
    unsigned long long recv_index = 0;
    // scheduler: issue order A_0, B_0, A_1, B_1, ...
    unsigned issue_step = 0, batch = 0, chunk = 0, a_issued = 0;
    bool phase_b = false;
    unsigned address = a.wx_base;
    acc_t acc[CONFIG_T::macs];
#pragma HLS ARRAY_PARTITION variable=acc complete
    // scoreboard: rows of B_t readable by the elementwise unit
    unsigned landing[lat::mac];
#pragma HLS ARRAY_PARTITION variable=landing complete
SCOREBOARD_CLEAR:
    for (unsigned k = 0; k < lat::mac; k++) {
#pragma HLS UNROLL
        landing[k] = 0;
    }
    unsigned rows_ready = 0;
    // elementwise unit: h_t goes to h slot t & 1 and to out_stream
    unsigned ew_step = 0, ew_unit = 0, h_done = 0;
    bool h_pending = false;
    ap_uint<64> h_done_at = 0;
    ap_uint<64> packed = 0;

    ap_uint<64> cycle = 0;
RUN_CYCLES:
    for (;; cycle++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=16 avg=25029 max=655116
// The schedule's own waits space every write from the read that needs it by a known number of
// iterations: x_t by L_X = 1, h_t and c_t by L_EW, the row sums by L_MAC (the scoreboard).
#pragma HLS DEPENDENCE variable=x_slots type=inter direction=RAW dependent=true distance=1
#pragma HLS DEPENDENCE variable=h_slots type=inter direction=RAW dependent=true distance=lat::ew
#pragma HLS DEPENDENCE variable=c_state type=inter direction=RAW dependent=true distance=lat::ew
#pragma HLS DEPENDENCE variable=xproj type=inter direction=RAW dependent=true distance=lat::mac
#pragma HLS DEPENDENCE variable=recurrent type=inter direction=RAW dependent=true distance=lat::mac
        if (h_pending && cycle == h_done_at) {
            h_done++;
            h_pending = false;
        }
        if (h_done == a.steps) break;
        const unsigned x_received = recv_step;
        const unsigned a_complete = a_issued;
        const unsigned landed = landing[lat::mac - 1];
    SCOREBOARD_SHIFT:
        for (unsigned k = lat::mac - 1; k > 0; k--) {
#pragma HLS UNROLL
            landing[k] = landing[k - 1];
        }
        landing[0] = 0;
        if (landed != 0) rows_ready = landed;

        // elementwise unit: the next units in order whose rows are readable, at most E, and
        // never past the out_stream beat they go into (out_stream takes one beat a cycle).
        // Units become readable in runs aligned to their count, so only a cycle blocked by
        // out_stream can leave a backlog that would cross a beat: the cap costs no cycle of
        // the contract's schedule, which assumes the output never stalls.
        bool ew_blocked_by_output = false;
        if (ew_step < a.steps) {
            // mode 0: every row of B_t; mode 1: the units whose four rows have landed
            const unsigned readable = a.mode == MODE_SEQUENTIAL && rows_ready < rows ? 0 : rows_ready >> 2;
            const unsigned first_lane = ew_unit & 3;  // where ew_unit sits in its beat
            const unsigned count =
                readable > ew_unit ? min_u(min_u(E, 4 - first_lane), readable - ew_unit) : 0;
            const unsigned next_unit = ew_unit + count;
            const bool last_unit = next_unit == a.hidden_size;
            const bool emits = first_lane + count == 4 || last_unit;
            if (count != 0 && emits && out.full()) {
                ew_blocked_by_output = true;
            } else if (count != 0) {
                const unsigned slot = ew_step & 1;
                q32_t xp[4 * E], rec[4 * E];
#pragma HLS ARRAY_PARTITION variable=xp complete
#pragma HLS ARRAY_PARTITION variable=rec complete
                read_rows<CONFIG_T, CONFIG_T::sum_lines, 4 * E>(xproj[slot], 4 * ew_unit, xp);
                read_rows<CONFIG_T, CONFIG_T::sum_lines, 4 * E>(recurrent, 4 * ew_unit, rec);
                q16_t c_prev[E], c_new[E], h_new[E];
#pragma HLS ARRAY_PARTITION variable=c_prev complete
#pragma HLS ARRAY_PARTITION variable=c_new complete
#pragma HLS ARRAY_PARTITION variable=h_new complete
                read_banked<q16_t, E, CONFIG_T::c_lines, E>(c_state, ew_unit, c_prev);
                ap_uint<64> word = packed;
            EW_LANES:  // E copies of the cell datapath, one per unit of the cycle
                for (unsigned u = 0; u < E; u++) {
#pragma HLS UNROLL
                    q32_t xp_unit[4], rec_unit[4];
#pragma HLS ARRAY_PARTITION variable=xp_unit complete
#pragma HLS ARRAY_PARTITION variable=rec_unit complete
                EW_GATES:
                    for (unsigned q = 0; q < 4; q++) {
#pragma HLS UNROLL
                        xp_unit[q] = xp[4 * u + q];
                        rec_unit[q] = rec[4 * u + q];
                    }
                    cell_update<CONFIG_T>(xp_unit, rec_unit, ew_step == 0 ? q16_t(0) : c_prev[u], sig_if[u],
                                          sig_o[u], tanh_lut[u], c_new[u], h_new[u]);
                    if (u < count) word |= ap_uint<64>(ap_uint<16>(h_new[u])) << (16 * (first_lane + u));
                }
                write_banked<q16_t, E, CONFIG_T::c_lines, E>(c_state, ew_unit, count, c_new);
                write_banked<q16_t, CONFIG_T::macs, CONFIG_T::h_lines, E>(h_slots[slot], ew_unit, count, h_new);
                if (emits) {
                    axis_beat beat;
                    beat.data = word;
                    beat.keep = 0xFF;
                    beat.strb = 0xFF;
                    beat.last = last_unit && ew_step + 1 == a.steps;
                    out.write(beat);
                }
                packed = emits ? ap_uint<64>(0) : word;
                if (last_unit) {
                    ew_unit = 0;
                    ew_step++;
                    rows_ready = 0;
                    h_pending = true;
                    h_done_at = cycle + lat::ew;
                } else {
                    ew_unit = next_unit;
                }
            }
        }

        // scheduler: one weight word per cycle, or one stall counter
        if (cycle >= lat::start && issue_step < a.steps) {
            const bool h_missing = h_done < issue_step;  // h_{issue_step - 1} not complete
            const bool wait_h = h_missing && (phase_b || a.mode == MODE_SEQUENTIAL);
            const bool wait_x = !phase_b && x_received <= issue_step;
            if (wait_h) {
                if (ew_blocked_by_output) n.stall_output++;
                else n.stall_dependency++;
            } else if (wait_x) {
                n.stall_input++;
            } else {
                const matrix_map& m = phase_b ? map_h : map_x;
                const unsigned first = chunk << m.width_log2;
                q16_t line[CONFIG_T::macs], lane_in[CONFIG_T::macs];
#pragma HLS ARRAY_PARTITION variable=line complete
#pragma HLS ARRAY_PARTITION variable=lane_in complete
                if (phase_b) {  // h_{t-1} sits in h slot (t - 1) & 1
                    read_line<CONFIG_T, CONFIG_T::h_lines>(h_slots[(issue_step + 1) & 1], first, line);
                } else {
                    read_line<CONFIG_T, CONFIG_T::x_lines>(x_slots[issue_step & 1], first, line);
                }
                broadcast<CONFIG_T>(line, m.cols, first, m.width_log2, phase_b && issue_step == 0, lane_in);
                tile_word<CONFIG_T> words[CONFIG_T::tiles];
#pragma HLS ARRAY_PARTITION variable=words complete
            WEIGHT_TILES:  // one wide read per tile RAM
                for (unsigned t = 0; t < CONFIG_T::tiles; t++) {
#pragma HLS UNROLL
                    words[t] = weights[t][address];
                }
                q16_t lane_weights[CONFIG_T::macs];
#pragma HLS ARRAY_PARTITION variable=lane_weights complete
                unpack_weights<CONFIG_T>(words, lane_weights);
                mac_lanes<CONFIG_T>(lane_weights, lane_in, chunk == 0, acc);
                const unsigned row0 = batch << m.rows_log2;
                const unsigned rows_here = min_u(1u << m.rows_log2, rows - row0);
                const unsigned cols_here = min_u(1u << m.width_log2, m.cols - first);
                n.issue++;
                n.active += rows_here * cols_here;
                address++;
                if (chunk + 1 < m.chunks) {
                    chunk++;
                } else {
                    acc_t sums[CONFIG_T::tiles];
#pragma HLS ARRAY_PARTITION variable=sums complete
                    reduce_rows<CONFIG_T>(acc, m.group, sums);
                    q32_t biases[CONFIG_T::tiles], results[CONFIG_T::tiles];
#pragma HLS ARRAY_PARTITION variable=biases complete
#pragma HLS ARRAY_PARTITION variable=results complete
                    read_rows<CONFIG_T, CONFIG_T::bias_lines, CONFIG_T::tiles>(bias, 4 * a.bias_base + row0, biases);
                POST:
                    for (unsigned g = 0; g < CONFIG_T::tiles; g++) {
#pragma HLS UNROLL
                        results[g] = phase_b ? sat<32>(rnd(sums[g], a.shift_h))
                                             : sat<32>(ap_int<50>(rnd(sums[g], a.shift_x)) + biases[g]);
                    }
                    if (phase_b) {
                        write_rows<CONFIG_T, CONFIG_T::sum_lines, CONFIG_T::tiles>(recurrent, row0, rows_here, results);
                    } else {
                        write_rows<CONFIG_T, CONFIG_T::sum_lines, CONFIG_T::tiles>(xproj[issue_step & 1], row0, rows_here,
                                                                  results);
                    }
                    if (phase_b) landing[0] = row0 + rows_here;
                    chunk = 0;
                    if (batch + 1 < m.batches) {
                        batch++;
                    } else {
                        batch = 0;
                        if (phase_b) {
                            issue_step++;
                            address = a.wx_base;
                        } else {
                            a_issued++;
                            address = a.wh_base;
                        }
                        phase_b = !phase_b;
                    }
                }
            }
        }

        // receiver: x_t may overwrite its slot once A_{t-2} has issued
        if (recv_step < a.steps && (recv_step < 2 || a_complete + 1 >= recv_step)) {
            axis_beat beat;
            if (in.read_nb(beat)) {
                status |= tlast_status(beat.last, recv_index, total_beats);
            X_LANES:
                for (unsigned e = 0; e < INT16_PER_BEAT; e++) {
#pragma HLS UNROLL
                    write_element<CONFIG_T, CONFIG_T::x_lines>(x_slots[recv_step & 1],
                                                               INT16_PER_BEAT * recv_beat + e,
                                                               beat_int16(beat, e));
                }
                recv_index++;
                if (recv_beat + 1 < beats_x) {
                    recv_beat++;
                } else {
                    recv_beat = 0;
                    recv_step++;
                }
            }
#ifndef __SYNTHESIS__
            else {
                throw stream_ended_early(recv_index, total_beats);
            }
#endif
        }
    }
    n.cycles = cycle + lat::end;
    return status;
}

}  // namespace sharp

#endif
