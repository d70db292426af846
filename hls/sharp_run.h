// The RUN opcode: the schedule of docs/ARCHITECTURE.md §6 as one loop, RUN_CYCLES, written the
// way the RTL is: each iteration is one clock cycle, and it does one clock's worth of logic
// between explicit stage registers (the variables declared before the loop). Every register's
// next value is computed from the registers as they stood at the start of the iteration:
// the stages of a pipeline are evaluated last stage first, the signals one unit reads from
// another are taken as snapshots at the top of the iteration, every memory read of the
// iteration happens before every memory write (writes are planned by their stage and applied
// at the end), and out_stream is written by a blocking write, so backpressure freezes the
// whole pipeline. A RUN of B sequences is T B items, item p = t B + b being step t of
// sequence b (§6, "Batched RUNs"); every unit takes the items in order, each in its sequence's
// slots of the h, x-projection, recurrent-sum and state buffers. The units, with the stage in
// which they act:
//   receiver    in_stream -> x buffer, one beat a cycle (read_nb: the loop never blocks on it);
//               with STATE_IN first the B initial states -> h buffer and state buffer (§8)
//   MAC path    stage 0: scheduler issues a word (weight and vector reads); 1: broadcast;
//               2: multiply-accumulate; 3 .. 2 + log2 P: tree levels; 3 + log2 P: round,
//               clamp, row-bank write. Rows of a batch are readable L_MAC cycles after its
//               last word issued (rtl/mac_scheduler.sv .. rtl/row_sum_buffer.sv).
//   elementwise stage 0: the next units (at most E) whose Q rows are readable, row, bias and
//               state reads; 1 .. 11: the RUN's cell, lstm_cell.h (cell 0, Q = 4) or gru_cell.h
//               (cell 1, Q = 3), in the same stage registers; h is in the h buffer L_EW cycles
//               after stage 0 (rtl/elementwise_unit.sv).
//   final states with STATE_OUT, after the last h: stage 1 reads a line of a sequence's state
//               slot, stage 2 sends it, one beat a cycle, sequence 0's first.
// The pipeline depths are latency<>::mac_stages / ew_stages (sharp_config.h), padded by delay
// lines to the contract's L_MAC / L_EW, so the iteration count is the cycle model's count.
#ifndef SHARP_RUN_H
#define SHARP_RUN_H

#ifndef __SYNTHESIS__
#include <stdexcept>
#endif

#include "sharp_banks.h"
#include "sharp_beats.h"
#include "gru_cell.h"
#include "lstm_cell.h"
#include "sharp_mac.h"

namespace sharp {

struct run_args {
    unsigned input_size, hidden_size, steps, mode, group_x, group_h, shift_x, shift_h;
    unsigned wx_base, wh_base, bias_base, cell, state, batch;
};

constexpr unsigned CELL_LSTM = 0;
constexpr unsigned CELL_GRU = 1;

// Q, the gate rows of a hidden unit (R = Q H): 4 for the LSTM, 3 for the GRU (§2)
inline unsigned cell_gates(unsigned cell) { return cell == CELL_GRU ? 3 : 4; }

struct run_counters {
    ap_uint<64> cycles, active;
    ap_uint<32> issue, stall_input, stall_dependency, stall_output;
};

// How one matrix (R rows, L columns) at grouping m = 2^group is cut into words (§4), as the
// scheduler needs it: computed once before RUN_CYCLES with shifts (G and w are powers of two)
// and one small product, so the loop compares narrow counters against constants.
template <class CONFIG_T>
struct phase_map {
    ap_uint<CONFIG_T::chunk_bits> chunks_m1;   // C - 1
    ap_uint<CONFIG_T::row_bits> batches_m1;    // RB - 1
    ap_uint<CONFIG_T::group_bits> group;
    ap_uint<7> parallel;                       // G = N >> group
    ap_uint<7> rows_last;                      // rows of the last batch below R
    ap_uint<CONFIG_T::active_bits> active[4];  // useful MACs of a word, [2 last batch + last chunk]
    ap_uint<CONFIG_T::waddr_bits> base;
    ap_uint<CONFIG_T::waddr_bits + 1> words;   // RB * C, for the range check
    // a batch's G rows as Q-row units: G = Q units_step + rows_step (phase B's landed count)
    ap_uint<7> units_step;
    ap_uint<2> rows_step;
};

// rows = Q H <= 4 MAX_HIDDEN, cols <= max(MAX_INPUT, MAX_HIDDEN), group <= log2 N (checked first).
template <class CONFIG_T>
phase_map<CONFIG_T> map_matrix(unsigned rows, unsigned cols, unsigned group, unsigned base, unsigned gates) {
#pragma HLS INLINE
    phase_map<CONFIG_T> m;
    const unsigned width_log2 = CONFIG_T::log2_lanes + group;  // w = 2^width_log2
    const unsigned rows_log2 = CONFIG_T::log2_tiles - group;   // G = 2^rows_log2
    const ap_uint<CONFIG_T::chunk_bits> chunks = (ap_uint<CONFIG_T::col_bits + 1>(cols) + (1u << width_log2) - 1) >> width_log2;
    const ap_uint<CONFIG_T::row_bits> batches = (ap_uint<CONFIG_T::row_bits + 1>(rows) + (1u << rows_log2) - 1) >> rows_log2;
    m.chunks_m1 = chunks - 1;
    m.batches_m1 = batches - 1;
    m.group = group;
    m.parallel = 1u << rows_log2;
    m.rows_last = rows - (unsigned(m.batches_m1) << rows_log2);
    const ap_uint<CONFIG_T::col_bits> cols_last = cols - (unsigned(m.chunks_m1) << width_log2);
    m.active[0] = CONFIG_T::macs;  // G * w = P
    m.active[1] = unsigned(cols_last) << rows_log2;
    m.active[2] = unsigned(m.rows_last) << width_log2;
    m.active[3] = m.rows_last * cols_last;  // 7 x 13 bits, once per RUN
    m.base = base;
    const ap_uint<3> q = gates;
    m.units_step = m.parallel / q;  // 7 by 3 bits, once per RUN
    m.rows_step = m.parallel - m.units_step * q;
    const ap_uint<CONFIG_T::row_bits + CONFIG_T::chunk_bits> words = batches * chunks;
    m.words = words > CONFIG_T::weight_depth ? ap_uint<CONFIG_T::waddr_bits + 1>(CONFIG_T::weight_depth + 1)
                                             : ap_uint<CONFIG_T::waddr_bits + 1>(words);
    return m;
}

inline bool range_fits(unsigned base, unsigned count, unsigned depth) {
    return count <= depth && base <= depth - count;
}

// BAD_ARGS for a RUN: the cell type, the state flags, the batch, every size, grouping, shift and address
// range inside the build (§7); the weight ranges are those of R = Q H rows.
// The two matrices' maps come out for run_layer, so their products are built once.
template <class CONFIG_T>
bool run_args_fit(const run_args& a, phase_map<CONFIG_T>& mx, phase_map<CONFIG_T>& mh) {
    if (a.cell > CELL_GRU) return false;
    if (a.state > (STATE_IN | STATE_OUT)) return false;
    if (a.batch < 1 || a.batch > CONFIG_T::max_batch) return false;
    if (a.input_size < 1 || a.input_size > CONFIG_T::max_input) return false;
    if (a.hidden_size < 1 || a.hidden_size > CONFIG_T::max_hidden) return false;
    if (a.steps < 1 || a.mode > MODE_OVERLAPPED) return false;
    if (a.group_x > CONFIG_T::log2_tiles || a.group_h > CONFIG_T::log2_tiles) return false;
    if (a.shift_x > MAX_SHIFT || a.shift_h > MAX_SHIFT) return false;
    if (a.wx_base > CONFIG_T::weight_depth || a.wh_base > CONFIG_T::weight_depth) return false;
    const unsigned gates = cell_gates(a.cell);
    const unsigned rows = a.cell == CELL_GRU ? (a.hidden_size << 1) + a.hidden_size : a.hidden_size << 2;  // Q H
    mx = map_matrix<CONFIG_T>(rows, a.input_size, a.group_x, a.wx_base, gates);
    mh = map_matrix<CONFIG_T>(rows, a.hidden_size, a.group_h, a.wh_base, gates);
    return range_fits(a.wx_base, mx.words, CONFIG_T::weight_depth) &&
           range_fits(a.wh_base, mh.words, CONFIG_T::weight_depth) &&
           range_fits(a.bias_base, a.hidden_size, CONFIG_T::bias_depth);
}

// A register stage that only delays: D registers of T (D = 0: a wire). Pads a pipeline whose
// depth is below the contract's latency.
template <class T, unsigned D>
struct delay_line {
    T r[D];
    T out(const T&) const { return r[D - 1]; }
    void shift(const T& in) {
    DELAY:
        for (unsigned i = D - 1; i > 0; i--) {
#pragma HLS UNROLL
            r[i] = r[i - 1];
        }
        r[0] = in;
    }
    void clear() {
    DELAY_CLEAR:
        for (unsigned i = 0; i < D; i++) {
#pragma HLS UNROLL
            r[i].valid = 0;
        }
    }
};
template <class T>
struct delay_line<T, 0> {
    T out(const T& in) const { return in; }
    void shift(const T&) {}
    void clear() {}
};

// What travels with a weight word down the MAC path (rtl/delay_line.sv's tags).
template <class CONFIG_T>
struct mac_tag {
    bool valid;  // stage 0 .. 2: a word; from the tree on: a batch's last chunk
    bool phase_b, zero, first_chunk, last_chunk, last_batch, odd;  // odd: the item's step t
    ap_uint<CONFIG_T::seq_bits> seq;  // the item's sequence b: its row slots
    ap_uint<CONFIG_T::group_bits> group;
    ap_uint<6> part;  // chunk mod G: which w-element part of the vector line
    ap_uint<CONFIG_T::row_bits> row_base;
    ap_uint<7> rows_here;
    ap_uint<CONFIG_T::unit_bits> units_end;  // units whose Q rows are in batches up to this one
};

// A batch's row sums leaving the tree (the input of the round/write stage), the N sums as one
// wide word so a delay line of it is plain registers.
template <class CONFIG_T>
struct tree_out {
    ap_uint<1> valid;
    mac_tag<CONFIG_T> tag;
    ap_uint<CONFIG_T::tiles * CONFIG_T::sum_bits> sums;
};

// What travels with the E units of a cycle down the elementwise pipeline.
template <class CONFIG_T>
struct ew_tag {
    ap_uint<CONFIG_T::ew_lanes> valid;  // lane k holds unit `unit + k`
    ap_uint<CONFIG_T::ew_lanes> last;   // ... which is the item's last unit
    ap_uint<CONFIG_T::unit_bits> unit;
    ap_uint<CONFIG_T::seq_bits> seq;    // the item's sequence b and step parity: its slots
    bool first_step, odd, last_step;    // step t = 0; t odd; the RUN's last item
};

// The input of the h stage (stage 11), E lanes as wide words: the product of stage 10 (LSTM
// o * tanh_c(c_t), GRU u * (h_{t-1} - n)) and the GRU's n.
template <class CONFIG_T>
struct ew_out {
    ap_uint<1> valid;
    ew_tag<CONFIG_T> tag;
    ap_uint<33 * CONFIG_T::ew_lanes> product;
    ap_uint<16 * CONFIG_T::ew_lanes> n;
};

// What waits beside the gate lookups, per lane (stages 2 .. 5): the state, c_{t-1} (LSTM) or
// h_{t-1} (GRU, sign-extended as the state buffer holds it), and the GRU's a = sat32(hp_n + b_hn)
// and sat32(xp_n + b_in).
struct ew_early {
    c25_t state;
    q32_t a, xn;
};
// What waits beside the tanh lookup, per lane (stages 6 .. 10): the gate stage 10 multiplies,
// o (LSTM) or u (GRU), and the GRU's h_{t-1}.
struct ew_late {
    q16_t gate, h_prev;
};

// rnd(v, s) clamped to `bits` bits (34 for phase A, 32 for phase B), s selected before the
// shifter so each tile has one barrel shifter. sat32(rnd(.) + b) for an int32 b is the same
// for a value clamped to 34 bits, so phase A stores 34 bits and the elementwise unit adds the
// bias; phase B's sat32 is the contract's.
template <class CONFIG_T>
xp_t round_clamp(const sum_t<CONFIG_T>& v, ap_uint<6> s, bool phase_b) {
#pragma HLS INLINE
    constexpr int VW = (CONFIG_T::sum_bits > 41 ? CONFIG_T::sum_bits : 41) + 1;
    ap_int<VW> wide = v;
    if (s != 0) wide += ap_int<VW>(1) << unsigned(s - 1);
    wide >>= s;
    const ap_int<VW> hi = phase_b ? (ap_int<VW>(1) << 31) - 1 : (ap_int<VW>(1) << 33) - 1;
    const ap_int<VW> lo = phase_b ? -(ap_int<VW>(1) << 31) : -(ap_int<VW>(1) << 33);
    if (wide > hi) return xp_t(hi);
    if (wide < lo) return xp_t(lo);
    return xp_t(wide);
}

// Returns the TLAST status bits; the counters go to `n`.
template <class CONFIG_T>
unsigned run_layer(hls::stream<axis_beat>& in, hls::stream<axis_beat>& out, const run_args& a,
                   const phase_map<CONFIG_T>& map_a, const phase_map<CONFIG_T>& map_b,
                   const tile_word<CONFIG_T> weights_uram[CONFIG_T::uram_banks][CONFIG_T::weight_depth],
                   const tile_word<CONFIG_T> weights_bram[CONFIG_T::bram_banks][CONFIG_T::weight_depth],
                   const ap_uint<64> bias[CONFIG_T::bias_lines][CONFIG_T::ew_lanes][2],
                   const ap_uint<64> sig_if[CONFIG_T::ew_lanes][CONFIG_T::table_words],
                   const ap_uint<64> sig_o[CONFIG_T::ew_lanes][CONFIG_T::table_words],
                   const ap_uint<64> tanh_lut[CONFIG_T::ew_lanes][CONFIG_T::table_words],
                   ap_uint<64> x_buf[2][CONFIG_T::x_lines][CONFIG_T::columns],
                   ap_uint<64> h_buf[CONFIG_T::h_slots][CONFIG_T::h_lines][CONFIG_T::columns],
                   xp_t xproj[CONFIG_T::xp_slots][CONFIG_T::sum_lines][CONFIG_T::row_banks],
                   q32_t recurrent[CONFIG_T::max_batch][CONFIG_T::sum_lines][CONFIG_T::row_banks],
                   c25_t state_buf[CONFIG_T::max_batch][CONFIG_T::state_lines][CONFIG_T::state_banks],
                   run_counters& n) {
    typedef latency<CONFIG_T> lat;
    constexpr unsigned E = CONFIG_T::ew_lanes;
    constexpr unsigned N = CONFIG_T::tiles;
    constexpr unsigned NB = CONFIG_T::row_banks;
    constexpr unsigned SB = CONFIG_T::state_banks;
    constexpr unsigned LEVELS = CONFIG_T::log2_macs;
    typedef ap_uint<CONFIG_T::unit_bits> unit_t;
    typedef mac_tag<CONFIG_T> mtag;
    typedef ew_tag<CONFIG_T> etag;
    typedef gru_format gru_t;
    // out_stream beats the E units of a cycle can touch: they start anywhere in a beat, so with
    // E > 1 a cycle may finish one beat and open the next (and, at an item's end, finish both)
    constexpr unsigned BEATS = (E + 2) / 4 + 1;
    static_assert(BEATS == 1 || CONFIG_T::columns >= 2, "two beats of a cycle are two h_buf columns");

    // ---- constants of this RUN (argument registers and what follows from them)
    const bool overlapped = a.mode == MODE_OVERLAPPED;
    const bool gru = a.cell == CELL_GRU;  // the elementwise stages run gru_cell.h, else lstm_cell.h
    const ap_uint<3> gates = cell_gates(a.cell);
    const ap_uint<6> shift_x = a.shift_x, shift_h = a.shift_h;
    const ap_uint<CONFIG_T::beat_bits> beats_m1 = (a.input_size + INT16_PER_BEAT - 1) / INT16_PER_BEAT - 1;
    typedef ap_int<CONFIG_T::unit_bits + 1> lane_bound_t;  // a unit bound minus a lane index
    lane_bound_t last_minus[E];  // H - 1 - k: lane k holds unit j + k <= H - 1 iff j <= this
#pragma HLS ARRAY_PARTITION variable=last_minus complete
LAST_MINUS:
    for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
        last_minus[k] = lane_bound_t(a.hidden_size - 1) - k;
    }
    // Q (k + 1): the first row of unit j + k + 1 from unit j's, for the row register
    ap_uint<5> row_step[E];
#pragma HLS ARRAY_PARTITION variable=row_step complete
ROW_STEP:
    for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
        row_step[k] = unsigned(gates) * (k + 1);  // a constant per cell
    }
    const ap_uint<bits_for(CONFIG_T::bias_depth)> bias_base = a.bias_base;
    const ap_uint<32> steps_m1 = a.steps - 1;
    // batched RUNs (§6): item p = t B + b is step t of sequence b, issued, received and
    // finished in item order; b counts up to B - 1 and then t moves on
    typedef ap_uint<CONFIG_T::seq_bits> seq_t;
    typedef ap_uint<CONFIG_T::batch_bits> count_t;
    const seq_t seqs_m1 = a.batch - 1;
    const count_t seqs = a.batch;
    const ap_uint<CONFIG_T::item_bits> items_m1 = ap_uint<CONFIG_T::item_bits>(a.steps) * seqs - 1;  // 32 by batch_bits, once per RUN
    // carried state (§8): with STATE_IN, in_stream starts with h_{-1} (and an LSTM's c_{-1}),
    // which step 0 reads where it would read zero; with STATE_OUT, out_stream ends with the
    // state buffer. h is ceil(H/4) beats of four int16, c ceil(H/2) beats of two int32 (bits 24:0
    // taken in, sign-extended out); the last beat's elements past H are zero.
    const bool state_in = (a.state & STATE_IN) != 0, state_out = (a.state & STATE_OUT) != 0;
    const bool zero_start = !state_in;  // step 0 multiplies and reads h_{-1} = c_{-1} = 0
    typedef ap_uint<CONFIG_T::state_beat_bits> state_beat_t;
    const state_beat_t h_beats_m1 = (a.hidden_size + INT16_PER_BEAT - 1) / INT16_PER_BEAT - 1;
    const state_beat_t c_beats_m1 = (a.hidden_size + 1) / 2 - 1;
    // the final state: the state buffer's tensor, c (LSTM) or h (GRU)
    const state_beat_t out_beats_m1 = gru ? h_beats_m1 : c_beats_m1;
    const ap_uint<3> last_h_count = a.hidden_size - (unsigned(h_beats_m1) << 2);  // 1 .. 4
    const bool last_c_pair = (a.hidden_size & 1) == 0;  // the last c beat holds two units
#ifndef __SYNTHESIS__
    // B S_in and the x beats, for the report of a stream that ends early
    const unsigned long long state_beats =  // S_in
        state_in ? (unsigned long long)(unsigned(h_beats_m1) + 1) + (gru ? 0 : unsigned(c_beats_m1) + 1) : 0;
    const unsigned long long state_in_beats = state_beats * a.batch;
    const unsigned long long items = (unsigned long long)items_m1 + 1;
#endif

    // ---- registers
    // receiver: the initial states' beats first (sequence b's h, then an LSTM's c, then b + 1's),
    // then the x of the items in order
    bool prefix = state_in, prefix_c = false;
    seq_t prefix_seq = 0;
    state_beat_t prefix_beat = 0, prefix_m1 = h_beats_m1;  // the beat, and the tensor's last
    bool recv_done = false, recv_odd = false;  // recv_odd: the item's parity, its x slot
    ap_uint<CONFIG_T::beat_bits> recv_beat = 0;
    ap_uint<CONFIG_T::item_bits> recv_left = items_m1;  // items after the one being received
    bool slot_full[2] = {false, false};  // x slot holds the x of an item whose A has not all issued
    // scheduler (stage 0 of the MAC path): the item's sequence, its step's parity, first and
    // last step, and the item's parity (its x slot)
    bool started = false, all_issued = false, phase_b = false, first_word = true;
    seq_t t_seq = 0;
    bool t_odd = false, t_first = true, t_last = a.steps == 1, p_odd = false;
    ap_uint<32> t_left = steps_m1;
    ap_uint<CONFIG_T::chunk_bits> chunk = 0;
    ap_uint<CONFIG_T::row_bits> batch = 0, row_base = 0;
    ap_uint<bits_for(CONFIG_T::x_lines > CONFIG_T::h_lines ? CONFIG_T::x_lines : CONFIG_T::h_lines)> line = 0;
    ap_uint<6> part = 0;
    ap_uint<CONFIG_T::waddr_bits> address = map_a.base;
    // rows of batches 0 .. batch as Q-row units: batch_units whole units and batch_rows more
    // rows, counted up by the phase map's G = Q units_step + rows_step, so the landed count
    // needs no division in the loop
    ap_uint<CONFIG_T::unit_bits> batch_units = map_a.units_step;
    ap_uint<3> batch_rows = map_a.rows_step;
    // items whose phase B has all issued and whose h is not complete (0 .. B): B_p waits for
    // the h of item p - B (mode 1) while B of them are, A_p for item p - 1's (mode 0) while any is
    count_t pending = 0;
    // MAC path stage registers
    mtag tag1, tag2, acc_tag;
    tag1.valid = tag2.valid = acc_tag.valid = false;
    tile_word<CONFIG_T> w1[N], w2[N], v2[N];
    ap_uint<64> line1[CONFIG_T::columns];
#pragma HLS ARRAY_PARTITION variable=w1 complete
#pragma HLS ARRAY_PARTITION variable=w2 complete
#pragma HLS ARRAY_PARTITION variable=v2 complete
#pragma HLS ARRAY_PARTITION variable=line1 complete
    acc_t acc[CONFIG_T::macs];
#pragma HLS ARRAY_PARTITION variable=acc complete
    sum_t<CONFIG_T> tree_tile[tree_shape<CONFIG_T>::tile_levels][CONFIG_T::macs / 2];
    sum_t<CONFIG_T> tree_fuse[tree_shape<CONFIG_T>::fuse_levels][N];
#pragma HLS ARRAY_PARTITION variable=tree_tile complete dim=0
#pragma HLS ARRAY_PARTITION variable=tree_fuse complete dim=0
    mtag tree_tag[LEVELS];
#pragma HLS ARRAY_PARTITION variable=tree_tag complete
TREE_TAG_CLEAR:
    for (unsigned l = 0; l < LEVELS; l++) {
#pragma HLS UNROLL
        tree_tag[l].valid = false;
    }
    delay_line<tree_out<CONFIG_T>, lat::mac_pad> mac_pad;
    mac_pad.clear();
    // rows readable by the elementwise unit (written by the round/write stage). Items land in
    // order: `full` counts the items whose rows have all landed and that the elementwise unit
    // has not finished (0 .. B); while it is 0 the unit's item is the one landing, whose units
    // with all Q rows written (mode 1) are held as landed - k per lane k: unit j + k is readable
    // iff j < landed_minus[k] (a compare of registers, no add before it)
    lane_bound_t landed_minus[E];
#pragma HLS ARRAY_PARTITION variable=landed_minus complete
LANDED_CLEAR:
    for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
        landed_minus[k] = -lane_bound_t(k);
    }
    count_t full = 0;
    // elementwise stage 0
    unit_t j = 0;
    ap_uint<CONFIG_T::row_bits> j_row = 0;  // Q j, unit j's first row
    seq_t ew_seq = 0;  // the item's sequence; ew_odd, ew_first, ew_last: its step
    bool ew_idle = false, ew_odd = false, ew_first = true, ew_last = a.steps == 1;
    ap_uint<32> ew_left = steps_m1;
    // elementwise stage registers: et[s] is the tag of stage s's inputs (s = 1 .. 10; et[0]
    // is unused), the data below are named by the stage that reads them
    etag et[lat::ew_stages - 1];
#pragma HLS ARRAY_PARTITION variable=et complete
EW_TAG_CLEAR:
    for (unsigned s = 0; s < lat::ew_stages - 1; s++) {
#pragma HLS UNROLL
        et[s].valid = 0;
    }
    // stage 1's inputs, lane k's gate q at 4k + q for both cells (the GRU's rows r, u, n in
    // q = 0..2; its bias slot 3 is b_hn), and the state: c_{t-1} (LSTM) or h_{t-1} (GRU)
    xp_t xp1[4 * E];
    q32_t z1[4 * E], b1[4 * E];
    c25_t c1[E];
    // the gate lookups, slot 4k + q (LSTM i, f, g, o; GRU r, u in q = 0, 1): k and phi (stage 2's
    // inputs), the two samples (3's), the product (4's), the values (5's)
    table_lookup::arg gate2[4 * E];
    table_lookup::samples gate3[4 * E];
    table_lookup::product gate4[4 * E];
    q16_t gate5[4 * E];
    // what waits beside them, stages 2 .. 5
    ew_early early2[E], early3[E], early4[E], early5[E];
    // stage 6's inputs: LSTM f c_{t-1}, i g; GRU r a, sat32(xp_n + b_in)
    forget_product_t fc6[E];
    input_product_t ig6[E];
    gru_t::reset_t ra6[E];
    gru_t::pre_t xn6[E];
    // the tanh lookup of tanh_c(c_t) (LSTM) or n (GRU): k and phi (stage 7's inputs), the samples
    // (8's), the product (9's), the value (10's); beside it what stage 10 needs, stages 6 .. 10
    table_lookup::arg tanh7[E];
    table_lookup::samples tanh8[E];
    table_lookup::product tanh9[E];
    q16_t tanh10[E];
    ew_late late6[E], late7[E], late8[E], late9[E], late10[E];
#pragma HLS ARRAY_PARTITION variable=xp1 complete
#pragma HLS ARRAY_PARTITION variable=z1 complete
#pragma HLS ARRAY_PARTITION variable=b1 complete
#pragma HLS ARRAY_PARTITION variable=c1 complete
#pragma HLS ARRAY_PARTITION variable=gate2 complete
#pragma HLS ARRAY_PARTITION variable=gate3 complete
#pragma HLS ARRAY_PARTITION variable=gate4 complete
#pragma HLS ARRAY_PARTITION variable=gate5 complete
#pragma HLS ARRAY_PARTITION variable=early2 complete
#pragma HLS ARRAY_PARTITION variable=early3 complete
#pragma HLS ARRAY_PARTITION variable=early4 complete
#pragma HLS ARRAY_PARTITION variable=early5 complete
#pragma HLS ARRAY_PARTITION variable=fc6 complete
#pragma HLS ARRAY_PARTITION variable=ig6 complete
#pragma HLS ARRAY_PARTITION variable=ra6 complete
#pragma HLS ARRAY_PARTITION variable=xn6 complete
#pragma HLS ARRAY_PARTITION variable=tanh7 complete
#pragma HLS ARRAY_PARTITION variable=tanh8 complete
#pragma HLS ARRAY_PARTITION variable=tanh9 complete
#pragma HLS ARRAY_PARTITION variable=tanh10 complete
#pragma HLS ARRAY_PARTITION variable=late6 complete
#pragma HLS ARRAY_PARTITION variable=late7 complete
#pragma HLS ARRAY_PARTITION variable=late8 complete
#pragma HLS ARRAY_PARTITION variable=late9 complete
#pragma HLS ARRAY_PARTITION variable=late10 complete
    ew_out<CONFIG_T> ew11;  // stage 11's input (after the pad)
    ew11.valid = 0;
    delay_line<ew_out<CONFIG_T>, lat::ew_pad> ew_pad;
    ew_pad.clear();
    ap_uint<64> pack = 0;   // the out_stream beat being filled
    // the output queue's one waiting beat (§6, "The output queue": one beat leaves a cycle):
    // an item's last beat when its cycle also finished the beat before it, or a beat finished
    // while the one before it waits. It is in the h buffer already. One entry is enough: with
    // E <= 4 only an item's last cycle finishes two beats, and an item has at least as many
    // elementwise cycles as beats, so at most one more beat than cycles arrives in any window
    bool held = false;
    axis_beat held_beat;
    bool finished = false;  // the last item's h is complete: the loop ends (after the final states)
    // the final states (STATE_OUT), sequence 0's first: a line of the state buffer read per cycle
    // from the cycle after its last write, and sent the cycle after that
    bool trailer_read = false, trailer_valid = false;
    seq_t trailer_seq = 0;
    state_beat_t trailer_line = 0;
    axis_beat trailer_beat;
    unsigned status = 0;

    ap_uint<64> cycle = 0;
RUN_CYCLES:
    for (;;) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=16 avg=25029 max=655116
// Memories written and read inside the loop. Each RAW distance below is the least number of
// iterations the schedule puts between a write and a read of the same address (docs/HLS.md).
#pragma HLS DEPENDENCE variable=x_buf type=inter direction=RAW dependent=true distance=1
#pragma HLS DEPENDENCE variable=h_buf type=inter direction=RAW dependent=true distance=1
#pragma HLS DEPENDENCE variable=xproj type=inter direction=RAW dependent=true distance=1
#pragma HLS DEPENDENCE variable=recurrent type=inter direction=RAW dependent=true distance=1
#pragma HLS DEPENDENCE variable=state_buf type=inter direction=RAW dependent=true distance=1
        if (finished && !held && !trailer_read && !trailer_valid) break;

        // ---- snapshots: what one unit sees of another's registers this cycle
        const count_t pending_now = pending;
        const bool slot_full_now[2] = {slot_full[0], slot_full[1]};
        lane_bound_t landed_now[E];
#pragma HLS ARRAY_PARTITION variable=landed_now complete
    LANDED_NOW:
        for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
            landed_now[k] = landed_minus[k];
        }
        const bool full_now = full != 0;

        // ---- memory writes of this cycle, applied after every read
        // xproj slot row_write_slot (2b + (t mod 2)), or recurrent slot b: per bank enable, line,
        // data. state slot state_write_seq: c_t (LSTM, stage 6) or h_t (GRU, stage 11), or a beat
        // of an initial state
        bool row_en[NB], state_en[SB];
        ap_uint<bits_for(CONFIG_T::sum_lines)> row_addr[NB];
        ap_uint<bits_for(CONFIG_T::state_lines)> state_addr[SB];
        xp_t row_data[NB];
        c25_t state_data[SB];
#pragma HLS ARRAY_PARTITION variable=row_en complete
#pragma HLS ARRAY_PARTITION variable=row_addr complete
#pragma HLS ARRAY_PARTITION variable=row_data complete
#pragma HLS ARRAY_PARTITION variable=state_en complete
#pragma HLS ARRAY_PARTITION variable=state_addr complete
#pragma HLS ARRAY_PARTITION variable=state_data complete
    WRITE_CLEAR:
        for (unsigned b = 0; b < NB; b++) {
#pragma HLS UNROLL
            row_en[b] = false;
            if (b < SB) state_en[b] = false;
        }
        bool row_write_b = false, x_write = false, x_write_odd = false, beat_out = false;
        ap_uint<CONFIG_T::seq_bits + 1> row_write_slot = 0, h_write_slot = 0;
        seq_t state_write_seq = 0;
        // up to BEATS beats of h (consecutive, so in different columns) to h slot 2b + (t mod 2)
        bool h_write[BEATS];
        ap_uint<64> h_write_data[BEATS];
        ap_uint<bits_for(CONFIG_T::h_lines)> h_write_line[BEATS];
        ap_uint<CONFIG_T::log2_columns + 1> h_write_col[BEATS];
#pragma HLS ARRAY_PARTITION variable=h_write complete
#pragma HLS ARRAY_PARTITION variable=h_write_data complete
#pragma HLS ARRAY_PARTITION variable=h_write_line complete
#pragma HLS ARRAY_PARTITION variable=h_write_col complete
    H_WRITE_CLEAR:
        for (unsigned s = 0; s < BEATS; s++) {
#pragma HLS UNROLL
            h_write[s] = false;
            h_write_data[s] = 0;
            h_write_line[s] = 0;
            h_write_col[s] = 0;
        }
        ap_uint<64> x_write_data = 0;
        ap_uint<bits_for(CONFIG_T::x_lines)> x_write_line = 0;
        ap_uint<CONFIG_T::log2_columns + 1> x_write_col = 0;
        axis_beat beat_data;
        // the beat held from the last iteration goes out now (this iteration finishes none)
        if (held) {
            beat_out = true;
            beat_data = held_beat;
            held = false;
        }

        // ---- the state buffer's one read per bank: a line of a final state while the
        // trailer is read, else elementwise stage 0's E units from j of its item's slot (a
        // rotation, below)
        c25_t state_line[SB];
#pragma HLS ARRAY_PARTITION variable=state_line complete
        const unsigned state_offset = unsigned(j) & (SB - 1);
        {
            const unsigned base = unsigned(j) >> log2_exact(SB);
            // the trailer's beat b is line b of h (four units), or half of line b / 2 of c (two)
            const unsigned trailer_address = gru ? unsigned(trailer_line) : unsigned(trailer_line) >> 1;
        STATE_READ:
            for (unsigned b = 0; b < SB; b++) {
#pragma HLS UNROLL
                const unsigned address = trailer_read ? trailer_address : base + (b < state_offset ? 1 : 0);
                const seq_t slot = trailer_read ? trailer_seq : ew_seq;
                state_line[b] = address < CONFIG_T::state_lines ? state_buf[slot][address][b] : c25_t(0);
            }
        }
        // ================= final states (STATE_OUT), last stage first =================
        // stage 2: the beat read last cycle goes to out_stream, TLAST on the last sequence's last
        if (trailer_valid) {
#ifndef __SYNTHESIS__
            if (beat_out) throw std::logic_error("sharp_run: a final-state beat met another beat");
#endif
            beat_out = true;
            beat_data = trailer_beat;
            trailer_valid = false;
        }
        // stage 1: a beat of the state buffer, zero past H in the last: four h of a line (GRU), or
        // two c of half a line, sign-extended to int32 (LSTM)
        if (trailer_read) {
            const bool last_line = trailer_line == out_beats_m1;
            const bool last_seq = trailer_seq == seqs_m1;
            const unsigned half = unsigned(trailer_line & 1) << 1;  // c: banks 0, 1 or 2, 3
            ap_uint<64> data = 0;
        TRAILER_PACK:
            for (unsigned b = 0; b < SB; b++) {
#pragma HLS UNROLL
                if (gru) {
                    if (!last_line || b < last_h_count) data.range(16 * b + 15, 16 * b) = ap_uint<16>(state_line[b]);
                } else if (b < 2) {
                    const c25_t c = state_line[half + b];
                    if (!last_line || b == 0 || last_c_pair) data.range(32 * b + 31, 32 * b) = ap_uint<32>(ap_int<32>(c));
                }
            }
            trailer_beat.data = data;
            trailer_beat.keep = 0xFF;
            trailer_beat.strb = 0xFF;
            trailer_beat.last = last_line && last_seq;
            trailer_valid = true;
            if (!last_line) {
                trailer_line++;
            } else if (last_seq) {
                trailer_read = false;
            } else {
                trailer_line = 0;
                trailer_seq++;
            }
        }

        // ================= elementwise unit, last stage first =================
        // stage 11: h_t (LSTM: sat16(rnd(o tanh_c(c_t), 15)); GRU: n + rnd(u (h_{t-1} - n), 15),
        // written back to the state), packed four to an out_stream beat; a complete beat goes to
        // the output queue and to the h buffer (slot 2b + (t & 1)), so h is readable from e + L_EW
        const ew_out<CONFIG_T> h_in = ew_pad.out(ew11);
        bool item_done = false;
        if (h_in.valid) {
            const etag& t11 = h_in.tag;
            const unsigned position = unsigned(t11.unit & 3);
            q16_t h[E];
#pragma HLS ARRAY_PARTITION variable=h complete
        EW_H:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                const ap_int<33> product = h_in.product.range(33 * k + 32, 33 * k);
                h[k] = gru ? hidden_next<gru_t>(q16_t(h_in.n.range(16 * k + 15, 16 * k)), product)
                           : hidden_out(ap_int<32>(product));
            }
            if (gru) {
                c25_t h_state[E];  // h_t sign-extended into the state buffer's 25-bit units
#pragma HLS ARRAY_PARTITION variable=h_state complete
            EW_H_STATE:
                for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                    h_state[k] = h[k];
                }
                plan_banked_write<c25_t, SB, E>(state_en, state_addr, state_data, t11.unit, t11.valid, h_state);
                state_write_seq = t11.seq;
            }
            // element p of beat s (beats from unit / 4 on) takes lane 4 s + p - position: lanes
            // are consecutive units, so each element has at most one
            ap_uint<64> beat[BEATS];
            bool touched[BEATS], complete[BEATS], last_in[BEATS];
#pragma HLS ARRAY_PARTITION variable=beat complete
#pragma HLS ARRAY_PARTITION variable=touched complete
#pragma HLS ARRAY_PARTITION variable=complete complete
#pragma HLS ARRAY_PARTITION variable=last_in complete
        EW_PACK:
            for (unsigned s = 0; s < BEATS; s++) {
#pragma HLS UNROLL
                beat[s] = s == 0 && position != 0 ? pack : ap_uint<64>(0);
                touched[s] = complete[s] = last_in[s] = false;
            EW_PACK_ELEMENTS:
                for (unsigned p = 0; p < 4; p++) {
#pragma HLS UNROLL
                    const int k = int(4 * s + p) - int(position);
                    const unsigned lane = k >= 0 && k < int(E) ? unsigned(k) : 0;
                    if (k >= 0 && k < int(E) && t11.valid[lane]) {
                        const ap_uint<64> field = ap_uint<64>(0xFFFF) << (16 * p);
                        beat[s] = (beat[s] & ~field) | (ap_uint<64>(ap_uint<16>(h[lane])) << (16 * p));
                        touched[s] = true;
                        if (p == 3 || t11.last[lane]) complete[s] = true;
                        if (t11.last[lane]) last_in[s] = true;
                    }
                }
            }
            item_done = t11.last != 0;
            // a beat after the first is touched only when the first is complete (consecutive
            // lanes), and is complete only as the item's last (so the next item starts a beat)
            pack = BEATS > 1 && touched[BEATS - 1] ? beat[BEATS - 1] : beat[0];
        EW_BEATS:
            for (unsigned s = 0; s < BEATS; s++) {
#pragma HLS UNROLL
                if (complete[s]) {
                    const unsigned beat_index = unsigned(t11.unit >> 2) + s;
                    axis_beat b;
                    b.data = beat[s];
                    b.keep = 0xFF;
                    b.strb = 0xFF;
                    b.last = last_in[s] && t11.last_step && !state_out;  // else the final states'
                    // in order: after the beat that waited (sent this cycle), else out now
                    if (!beat_out) {
                        beat_out = true;
                        beat_data = b;
                    } else {
#ifndef __SYNTHESIS__
                        if (held) throw std::logic_error("sharp_run: a third beat met the output queue");
#endif
                        held = true;
                        held_beat = b;
                    }
                    h_write[s] = true;
                    h_write_data[s] = beat[s];
                    h_write_line[s] = beat_index >> CONFIG_T::log2_columns;
                    h_write_col[s] = beat_index & (CONFIG_T::columns - 1);
                }
            }
            h_write_slot = 2 * unsigned(t11.seq) + (t11.odd ? 1 : 0);
            if (item_done && t11.last_step) {
                finished = true;
                trailer_read = state_out;  // from the next cycle, after this one's state write
            }
        }
        ew_pad.shift(ew11);
        // stage 10: LSTM o * tanh_c(c_t); GRU u * (h_{t-1} - n)
        ew11.valid = et[10].valid != 0;
        ew11.tag = et[10];
        if (et[10].valid != 0) {
        EW_S10:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                const ap_int<33> product = gru ? ap_int<33>(update_product<gru_t>(late10[k].gate, late10[k].h_prev, tanh10[k]))
                                               : ap_int<33>(ap_int<32>(late10[k].gate * tanh10[k]));
                ew11.product.range(33 * k + 32, 33 * k) = ap_uint<33>(product);
                ew11.n.range(16 * k + 15, 16 * k) = ap_uint<16>(tanh10[k]);
            }
        }
        // stages 9, 8, 7: the tanh lookup (table_lookup: value, product, the reads of tanh's second
        // lookup, one port of each bank)
        et[10] = et[9];
        if (et[9].valid != 0) {
        EW_S9:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                tanh10[k] = table_lookup::value(tanh9[k]);
                late10[k] = late9[k];
            }
        }
        et[9] = et[8];
        if (et[8].valid != 0) {
        EW_S8:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                tanh9[k] = table_lookup::multiply(tanh8[k]);
                late9[k] = late8[k];
            }
        }
        et[8] = et[7];
        if (et[7].valid != 0) {
        EW_S7:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                tanh8[k] = table_lookup::read(tanh_lut[k], tanh7[k]);
                late8[k] = late7[k];
            }
        }
        // stage 6: LSTM c_t, written back to the state, and k, phi of tanh_c(c_t); GRU k, phi of n
        et[7] = et[6];
        if (et[6].valid != 0) {
            c25_t c_new[E];
#pragma HLS ARRAY_PARTITION variable=c_new complete
        EW_S6:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                c_new[k] = cell_next(fc6[k], ig6[k]);
                tanh7[k] = gru ? n_lookup<gru_t>(xn6[k], ra6[k]) : c_lookup(c_new[k]);
                late7[k] = late6[k];
            }
            if (!gru) {
                plan_banked_write<c25_t, SB, E>(state_en, state_addr, state_data, et[6].unit, et[6].valid, c_new);
                state_write_seq = et[6].seq;
            }
        }
        // stage 5: LSTM f * c_{t-1} (16 x 25 bits) and i * g; GRU r * a. Stage 10's gate (o or u)
        // and the GRU's h_{t-1} go on beside the tanh lookup
        et[6] = et[5];
        if (et[5].valid != 0) {
        EW_S5:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                fc6[k] = forget_product_t(gate5[4 * k + 1]) * early5[k].state;
                ig6[k] = input_product_t(gate5[4 * k + 0]) * gate5[4 * k + 2];
                ra6[k] = reset_product<gru_t>(gate5[4 * k + 0], early5[k].a);
                xn6[k] = early5[k].xn;
                late6[k].gate = gru ? gate5[4 * k + 1] : gate5[4 * k + 3];
                late6[k].h_prev = q16_t(early5[k].state);
            }
        }
        // stages 4, 3, 2: the gate lookups (table_lookup: value, product, reads). The reads: i
        // and f (or r and u) on sig_if, one port of each bank each; g on tanh's first lookup; o
        // on sig_o
        et[5] = et[4];
        if (et[4].valid != 0) {
        EW_S4:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
            EW_S4_GATES:
                for (unsigned q = 0; q < 4; q++) {
#pragma HLS UNROLL
                    gate5[4 * k + q] = table_lookup::value(gate4[4 * k + q]);
                }
                early5[k] = early4[k];
            }
        }
        et[4] = et[3];
        if (et[3].valid != 0) {
        EW_S3:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
            EW_S3_GATES:
                for (unsigned q = 0; q < 4; q++) {
#pragma HLS UNROLL
                    gate4[4 * k + q] = table_lookup::multiply(gate3[4 * k + q]);
                }
                early4[k] = early3[k];
            }
        }
        et[3] = et[2];
        if (et[2].valid != 0) {
        EW_S2:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                gate3[4 * k + 0] = table_lookup::read(sig_if[k], gate2[4 * k + 0]);
                gate3[4 * k + 1] = table_lookup::read(sig_if[k], gate2[4 * k + 1]);
                gate3[4 * k + 2] = table_lookup::read(tanh_lut[k], gate2[4 * k + 2]);
                gate3[4 * k + 3] = table_lookup::read(sig_o[k], gate2[4 * k + 3]);
                early3[k] = early2[k];
            }
        }
        // stage 1: k and phi of the gates from z = sat32(sat32(xp + b) + z_h) (LSTM i, f, g, o;
        // GRU r, u), the GRU's a = sat32(hp_n + b_hn) and sat32(xp_n + b_in); the state, 0 in
        // step 0 unless the RUN brought an initial state
        et[2] = et[1];
        if (et[1].valid != 0) {
        EW_S1:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
            EW_S1_GATES:
                for (unsigned q = 0; q < 4; q++) {
#pragma HLS UNROLL
                    gate2[4 * k + q] = z_lookup(xp1[4 * k + q], b1[4 * k + q], z1[4 * k + q]);
                }
                early2[k].state = et[1].first_step && zero_start ? c25_t(0) : c1[k];  // c_{-1} = h_{-1} = 0
                early2[k].a = add_bias<gru_t>(z1[4 * k + 2], b1[4 * k + 3]);
                early2[k].xn = add_bias<gru_t>(xp1[4 * k + 2], b1[4 * k + 2]);
            }
        }
        // stage 0: the next units in order whose Q rows are readable, at most E, of one item
        // (they may start anywhere in an out_stream beat: stage 11 finishes up to BEATS beats a
        // cycle)
        bool item_end = false;
        {
            // compares of j against per-lane bounds, then a prefix AND; j's and j_row's next
            // values are picked from j + 1 .. j + E and j_row + Q .. j_row + Q E, added beside
            // the compares
            ap_uint<E> take = 0, last = 0;
            bool go = !ew_idle;
            unit_t j_next = j;
            ap_uint<CONFIG_T::row_bits> j_row_next = j_row;
            const lane_bound_t js = j;
        EW_TAKE:
            for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                const bool in_step = js <= last_minus[k];
                const bool ready = full_now || (overlapped && js < landed_now[k]);
                if (go && in_step && ready) {
                    take[k] = 1;
                    last[k] = js == last_minus[k];
                    j_next = j + (k + 1);
                    j_row_next = j_row + row_step[k];
                } else {
                    go = false;
                }
            }
            et[1].valid = take;
            et[1].last = last;
            et[1].unit = j;
            et[1].seq = ew_seq;
            et[1].first_step = ew_first;
            et[1].odd = ew_odd;
            et[1].last_step = ew_last && ew_seq == seqs_m1;
            if (take != 0) {
                xp_t xp_rows[4 * E];
                q32_t z_rows[4 * E];
#pragma HLS ARRAY_PARTITION variable=xp_rows complete
#pragma HLS ARRAY_PARTITION variable=z_rows complete
                // rows Q j .. Q j + 4E - 1 (the GRU uses the first 3E); 4E <= NB banks
                // the item's slots: x projection 2b + (t & 1), recurrent sums b
                read_banked<xp_t, NB, CONFIG_T::sum_lines, 4 * E>(xproj[2 * unsigned(ew_seq) + (ew_odd ? 1 : 0)], j_row, xp_rows);
                read_banked<q32_t, NB, CONFIG_T::sum_lines, 4 * E>(recurrent[ew_seq], j_row, z_rows);
                // bias units bias_base + j + k: bank (bias_base + j + k) % E, two 64-bit halves
                const ap_uint<bits_for(CONFIG_T::bias_depth) + 1> bias_unit = bias_base + j;
                ap_uint<64> lo[E], hi[E];
#pragma HLS ARRAY_PARTITION variable=lo complete
#pragma HLS ARRAY_PARTITION variable=hi complete
                {
                    const unsigned offset = unsigned(bias_unit) & (E - 1);
                    const unsigned base = unsigned(bias_unit) >> log2_exact(E);
                    ap_uint<64> bank_lo[E], bank_hi[E];
#pragma HLS ARRAY_PARTITION variable=bank_lo complete
#pragma HLS ARRAY_PARTITION variable=bank_hi complete
                BIAS_BANKS:
                    for (unsigned b = 0; b < E; b++) {
#pragma HLS UNROLL
                        const unsigned address = base + (b < offset ? 1 : 0);
                        bank_lo[b] = address < CONFIG_T::bias_lines ? bias[address][b][0] : ap_uint<64>(0);
                        bank_hi[b] = address < CONFIG_T::bias_lines ? bias[address][b][1] : ap_uint<64>(0);
                    }
                BIAS_ROTATE:
                    for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                        lo[k] = bank_lo[(offset + k) & (E - 1)];
                        hi[k] = bank_hi[(offset + k) & (E - 1)];
                    }
                }
            EW_S0:
                for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                EW_S0_GATES:
                    for (unsigned q = 0; q < 4; q++) {
#pragma HLS UNROLL
                        // lane k's gate q is row Q k + q: 4k + q (LSTM), 3k + q (GRU, q < 3)
                        const unsigned row = gru ? (q < 3 ? 3 * k + q : 3 * k) : 4 * k + q;
                        xp1[4 * k + q] = xp_rows[row];
                        z1[4 * k + q] = z_rows[row];
                        const ap_uint<64> half = q < 2 ? lo[k] : hi[k];
                        b1[4 * k + q] = q32_t(ap_uint<32>(half >> (32 * (q & 1))));
                    }
                    c1[k] = state_line[(state_offset + k) & (SB - 1)];  // units j .. j + E - 1
                }
            }
            // the item's end: the next item (next sequence, or sequence 0's next step) from the
            // next cycle; the item was full, so `full` counts one fewer
            item_end = (take & last) != 0;
            if (item_end) {
                j = 0;
                j_row = 0;
                if (ew_seq == seqs_m1) {
                    ew_seq = 0;
                    ew_odd = !ew_odd;
                    ew_first = false;
                    if (ew_last) ew_idle = true;
                    ew_last = ew_left == 1;
                    ew_left--;
                } else {
                    ew_seq++;
                }
            } else {
                j = j_next;
                j_row = j_row_next;
            }
        }

        // ================= MAC path, last stage first =================
        // stage 3 + log2 P: round, clamp and write the batch's G rows to the row banks (bank b
        // takes group b mod G: the batch starts at a multiple of G); rows beyond R stay unwritten
        tree_out<CONFIG_T> final_level;  // wiring: the last tree level's registers
        final_level.valid = tree_tag[LEVELS - 1].valid;
        final_level.tag = tree_tag[LEVELS - 1];
        final_level.sums = 0;
        if (final_level.valid) {
        TREE_OUT:
            for (unsigned g = 0; g < N; g++) {
#pragma HLS UNROLL
                final_level.sums.range(CONFIG_T::sum_bits * g + CONFIG_T::sum_bits - 1, CONFIG_T::sum_bits * g) =
                    tree_node<CONFIG_T>(tree_tile, tree_fuse, CONFIG_T::log2_tiles, g);
            }
        }
        const tree_out<CONFIG_T> post = mac_pad.out(final_level);
        bool item_landed = false;  // the last batch of an item's phase B is written
        if (post.valid) {
            const mtag& pt = post.tag;
            const ap_uint<6> shift = pt.phase_b ? shift_h : shift_x;
            xp_t rounded[N];
#pragma HLS ARRAY_PARTITION variable=rounded complete
        POST_ROUND:
            for (unsigned g = 0; g < N; g++) {
#pragma HLS UNROLL
                const sum_t<CONFIG_T> sum =
                    post.sums.range(CONFIG_T::sum_bits * g + CONFIG_T::sum_bits - 1, CONFIG_T::sum_bits * g);
                rounded[g] = round_clamp<CONFIG_T>(sum, shift, pt.phase_b);
            }
            const unsigned group_mask = (N >> unsigned(pt.group)) - 1;  // G - 1
            const unsigned offset = unsigned(pt.row_base) & (NB - 1);
            const unsigned base = unsigned(pt.row_base) >> CONFIG_T::log2_row_banks;
        POST_BANKS:
            for (unsigned b = 0; b < NB; b++) {
#pragma HLS UNROLL
                const unsigned g = b & group_mask;
                row_en[b] = (b & ~group_mask) == offset && g < pt.rows_here;
                row_addr[b] = base;
                row_data[b] = rounded[g < N ? g : 0];
            }
            row_write_b = pt.phase_b;
            row_write_slot = pt.phase_b ? unsigned(pt.seq) : 2 * unsigned(pt.seq) + (pt.odd ? 1 : 0);
            if (pt.phase_b) {
                // after an item's last batch `full` covers it, and the count restarts at 0 for
                // the next item to land
                item_landed = pt.last_batch;
                const lane_bound_t landed = pt.last_batch ? lane_bound_t(0) : lane_bound_t(pt.units_end);
            LANDED_SET:
                for (unsigned k = 0; k < E; k++) {
#pragma HLS UNROLL
                    landed_minus[k] = landed - k;
                }
            }
        }
        // a small up/down counter: an item lands and another ends in the same cycle
        if (item_landed && !item_end) full++;
        if (!item_landed && item_end) full--;
        mac_pad.shift(final_level);
        // tree levels, top first; a level is written when a batch's last chunk reaches it
    TREE_LEVELS:
        for (unsigned level = LEVELS; level >= 1; level--) {
#pragma HLS UNROLL
            const mtag& below = level == 1 ? acc_tag : tree_tag[level >= 2 ? level - 2 : 0];
            if (below.valid) {
                if (level <= CONFIG_T::log2_lanes) {
                    tree_tile_level<CONFIG_T>(tree_tile, acc, level);
                } else {
                    tree_fuse_level<CONFIG_T>(tree_tile, tree_fuse, level - CONFIG_T::log2_lanes, below.group);
                }
            }
            tree_tag[level - 1] = below;
        }
        // stage 2: multiply-accumulate; what enters the tree is the sum after a last chunk
        acc_tag = tag2;
        acc_tag.valid = tag2.valid && tag2.last_chunk;
        if (tag2.valid) mac_lanes<CONFIG_T>(w2, v2, tag2.first_chunk, acc);
        // stage 1: broadcast the chunk's elements to every group (N:1 per lane)
        tag2 = tag1;
        if (tag1.valid) {
            broadcast<CONFIG_T>(line1, tag1.part, tag1.group, tag1.zero, v2);
        BROADCAST_WEIGHTS:
            for (unsigned t = 0; t < N; t++) {
#pragma HLS UNROLL
                w2[t] = w1[t];
            }
        }
        // stage 0: the scheduler issues one weight word, or counts why it cannot. Only the
        // first word of a phase waits: A_p for its x (and in mode 0 for item p - 1's h, counted
        // first), B_p in mode 1 for the h of item p - B, its sequence's previous step.
        bool b_issued = false;  // an item's phase B has all issued
        {
            bool wait_dependency = false, wait_input = false;
            if (first_word) {
                if (!phase_b) {
                    wait_dependency = !overlapped && pending_now != 0;
                    wait_input = !wait_dependency && !slot_full_now[p_odd ? 1 : 0];
                } else {
                    wait_dependency = overlapped && pending_now == seqs;
                }
            }
            const bool active_phase = started && !all_issued;
            const bool issue = active_phase && !wait_dependency && !wait_input;
            if (active_phase && wait_dependency) n.stall_dependency++;
            if (active_phase && wait_input) n.stall_input++;
            tag1.valid = issue;
            if (issue) {
                const phase_map<CONFIG_T>& m = phase_b ? map_b : map_a;
                const bool last_chunk = chunk == m.chunks_m1;
                const bool last_batch = batch == m.batches_m1;
                tag1.phase_b = phase_b;
                tag1.zero = phase_b && t_first && zero_start;  // B_0 multiplies h_{-1} = 0
                tag1.first_chunk = chunk == 0;
                tag1.last_chunk = last_chunk;
                tag1.last_batch = last_batch;
                tag1.odd = t_odd;
                tag1.seq = t_seq;
                tag1.group = m.group;
                tag1.part = part;
                tag1.row_base = row_base;
                tag1.rows_here = last_batch ? m.rows_last : m.parallel;
                tag1.units_end = last_batch ? unit_t(a.hidden_size) : batch_units;  // R = Q H
            ISSUE_WEIGHTS:  // one wide read per tile RAM
                for (unsigned t = 0; t < N; t++) {
#pragma HLS UNROLL
                    w1[t] = read_tile<CONFIG_T>(weights_uram, weights_bram, t, address);
                }
                // the item's x from x slot p & 1, h_{t-1} of sequence b from h slot 2b + ((t - 1) & 1):
                // one line, every column
                const unsigned h_slot = 2 * unsigned(t_seq) + (t_odd ? 0 : 1);
            ISSUE_LINE:
                for (unsigned c = 0; c < CONFIG_T::columns; c++) {
#pragma HLS UNROLL
                    line1[c] = phase_b ? h_buf[h_slot][line][c] : x_buf[p_odd ? 1 : 0][line][c];
                }
                n.issue++;
                n.active += m.active[(last_batch ? 2 : 0) + (last_chunk ? 1 : 0)];
                address++;
                first_word = false;
                if (!last_chunk) {
                    chunk++;
                    if (part == m.parallel - 1) {  // G chunks fill a line
                        part = 0;
                        line++;
                    } else {
                        part++;
                    }
                } else {
                    chunk = 0;
                    part = 0;
                    line = 0;
                    if (!last_batch) {
                        batch++;
                        row_base += m.parallel;
                        // + G rows: units_step units and rows_step rows, carrying one unit
                        const ap_uint<3> rows_sum = batch_rows + m.rows_step;
                        const bool carry = rows_sum >= gates;
                        batch_units += m.units_step + (carry ? 1 : 0);
                        batch_rows = carry ? ap_uint<3>(rows_sum - gates) : rows_sum;
                    } else {  // the phase ends
                        batch = 0;
                        row_base = 0;
                        const phase_map<CONFIG_T>& next = phase_b ? map_a : map_b;
                        batch_units = next.units_step;
                        batch_rows = next.rows_step;
                        first_word = true;
                        if (!phase_b) {
                            slot_full[p_odd ? 1 : 0] = false;  // item p + 2's x may overwrite p's
                            address = map_b.base;
                        } else {  // the item's h is pending; the next item
                            b_issued = true;
                            p_odd = !p_odd;
                            if (t_seq == seqs_m1) {
                                t_seq = 0;
                                t_odd = !t_odd;
                                t_first = false;
                                if (t_last) all_issued = true;
                                t_last = t_left == 1;
                                t_left--;
                            } else {
                                t_seq++;
                            }
                            address = map_a.base;
                        }
                        phase_b = !phase_b;
                    }
                }
            }
            started = true;  // cycle 0 is the OV_START cycle: no issue in it
        }
        // a small up/down counter: with B > 1 an item's B may end as another item's h completes
        if (b_issued && !item_done) pending++;
        if (!b_issued && item_done) pending--;

        // ================= receiver =================
        // the initial states first, sequence b's: h_{-1} to its B_0's h slot (2b + ((0 - 1) & 1) =
        // 2b + 1) and, for a GRU, to its state slot b; an LSTM's c_{-1} to its state slot. A beat
        // of h is one h_buf column and one state line, a beat of c half a state line (the
        // elementwise unit and its write stages 6 and 11 are idle: no x has arrived yet). Then
        // item p's x goes to x slot p & 1 once that slot's item p - 2 has all issued (A_{p-2}).
        if (prefix) {
            axis_beat beat;
            if (in.read_nb(beat)) {
                status |= tlast_status(beat.last, false);
                if (!prefix_c) {
#ifndef __SYNTHESIS__
                    if (h_write[0]) throw std::logic_error("sharp_run: an initial-state beat met an h beat");
#endif
                    h_write[0] = true;
                    h_write_data[0] = beat.data;
                    h_write_line[0] = unsigned(prefix_beat) >> CONFIG_T::log2_columns;
                    h_write_col[0] = prefix_beat & (CONFIG_T::columns - 1);
                    h_write_slot = 2 * unsigned(prefix_seq) + 1;
                }
                if (prefix_c || gru) {
                    // h: four int16, one line; c: two int32 (bits 24:0 of each), half of line
                    // beat / 2 (banks 0, 1 or 2, 3)
                    const unsigned half = unsigned(prefix_beat & 1) << 1;
                STATE_IN_LINE:
                    for (unsigned b = 0; b < SB; b++) {
#pragma HLS UNROLL
                        const bool write = !prefix_c || (b >> 1) == (half >> 1);
#ifndef __SYNTHESIS__
                        if (write && state_en[b]) throw std::logic_error("sharp_run: an initial-state beat met a state write");
#endif
                        state_en[b] = write;
                        state_write_seq = prefix_seq;
                        state_addr[b] = prefix_c ? unsigned(prefix_beat >> 1) : unsigned(prefix_beat);
                        state_data[b] = prefix_c ? c25_t(ap_uint<25>(beat.data.range(32 * (b & 1) + 24, 32 * (b & 1))))
                                                 : c25_t(q16_t(ap_uint<16>(beat.data.range(16 * b + 15, 16 * b))));
                    }
                }
                if (prefix_beat == prefix_m1) {
                    prefix_beat = 0;
                    if (!prefix_c && !gru) {  // the LSTM's c_{-1} follows its h_{-1}
                        prefix_c = true;
                        prefix_m1 = c_beats_m1;
                    } else if (prefix_seq == seqs_m1) {
                        prefix = false;
                    } else {  // the next sequence's h_{-1}
                        prefix_seq++;
                        prefix_c = false;
                        prefix_m1 = h_beats_m1;
                    }
                } else {
                    prefix_beat++;
                }
            }
#ifndef __SYNTHESIS__
            else {
                const unsigned long long got =
                    state_beats * unsigned(prefix_seq) + (prefix_c ? unsigned(h_beats_m1) + 1 : 0) + unsigned(prefix_beat);
                throw stream_ended_early(got, state_in_beats + items * (beats_m1 + 1));
            }
#endif
        } else if (!recv_done && !slot_full_now[recv_odd ? 1 : 0]) {
            axis_beat beat;
            if (in.read_nb(beat)) {
                const bool last_beat = recv_beat == beats_m1;
                status |= tlast_status(beat.last, last_beat && recv_left == 0);
                x_write = true;
                x_write_data = beat.data;
                x_write_odd = recv_odd;
                x_write_line = unsigned(recv_beat) >> CONFIG_T::log2_columns;
                x_write_col = recv_beat & (CONFIG_T::columns - 1);
                if (last_beat) {
                    recv_beat = 0;
                    slot_full[recv_odd ? 1 : 0] = true;  // readable from the next cycle (L_X)
                    recv_odd = !recv_odd;
                    if (recv_left == 0) recv_done = true;
                    recv_left--;
                } else {
                    recv_beat++;
                }
            }
#ifndef __SYNTHESIS__
            else {  // a C simulation cannot wait for beats that never come (sharp_beats.h)
                const unsigned long long beats = (unsigned long long)beats_m1 + 1;
                throw stream_ended_early(state_in_beats + (items - 1 - (unsigned long long)recv_left) * beats + recv_beat,
                                         state_in_beats + items * beats);
            }
#endif
        }

        // ================= memory writes, after every read of the cycle =================
        if (row_write_b) {
        WRITE_RECURRENT:
            for (unsigned b = 0; b < NB; b++) {
#pragma HLS UNROLL
                if (row_en[b]) recurrent[row_write_slot][row_addr[b]][b] = q32_t(row_data[b]);
            }
        } else {
            apply_banked_write<xp_t, NB, CONFIG_T::sum_lines>(xproj[row_write_slot], row_en, row_addr, row_data);
        }
        apply_banked_write<c25_t, SB, CONFIG_T::state_lines>(state_buf[state_write_seq], state_en, state_addr, state_data);
        // each column takes at most one of the BEATS beats: one write per column RAM
    WRITE_H:
        for (unsigned c = 0; c < CONFIG_T::columns; c++) {
#pragma HLS UNROLL
            bool en = false;
            unsigned from = 0;
        WRITE_H_BEATS:
            for (unsigned s = 0; s < BEATS; s++) {
#pragma HLS UNROLL
                if (!en && h_write[s] && h_write_col[s] == c) {
                    en = true;
                    from = s;
                }
            }
            if (en) h_buf[h_write_slot][h_write_line[from]][c] = h_write_data[from];
        }
        if (x_write) x_buf[x_write_odd ? 1 : 0][x_write_line][x_write_col] = x_write_data;  // one column
        // blocking: a full out_stream freezes every stage of the loop together, so the schedule
        // (in iterations) and every bit stay as they are; only the wall-clock time grows
        if (beat_out) out.write(beat_data);
        cycle++;
    }
    n.cycles = cycle + lat::end;
    return status;
}

}  // namespace sharp

#endif
