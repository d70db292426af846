// The LOAD opcodes (docs/ARCHITECTURE.md §8): one in_stream beat per cycle into the weight,
// bias and table buffers, which persist across calls like the RAM they synthesize to. Each
// loop counts with narrow counters (a beat within its word or unit, and the words or units
// left) and knows its final beat by a flag, not by comparing a 64-bit beat index.
#ifndef SHARP_LOAD_H
#define SHARP_LOAD_H

#include "sharp_beats.h"
#include "sharp_mac.h"

namespace sharp {

// A LOAD writes `count` >= 1 entries from `base`, all inside the buffer.
inline bool load_range_fits(unsigned base, unsigned count, unsigned depth) {
    return count >= 1 && count <= depth && base <= depth - count;
}

#ifndef __SYNTHESIS__
// C simulation: the stream ran dry (see sharp_beats.h); `received` beats came of `expected`.
inline void check_beat(hls::stream<axis_beat>& in, unsigned long long received, unsigned long long expected) {
    if (in.empty()) throw stream_ended_early(received, expected);
}
#endif

// Each word is P/4 beats of 4 int16, lanes in order, so K/4 beats per tile. A tile's beats are
// gathered in a register and written as one whole tile word: one write per tile RAM, no
// read-modify-write of a wide word. The tile loop is unrolled, so each tile's RAM (UltraRAM or
// block RAM, write_tile) is a constant and its write enable a compare of the beat's tile.
template <class CONFIG_T>
unsigned load_weights(hls::stream<axis_beat>& in,
                      tile_word<CONFIG_T> weights_uram[CONFIG_T::uram_banks][CONFIG_T::weight_depth],
                      tile_word<CONFIG_T> weights_bram[CONFIG_T::bram_banks][CONFIG_T::weight_depth],
                      unsigned base, unsigned count) {
    constexpr unsigned beats_per_tile = CONFIG_T::lanes / INT16_PER_BEAT;
    unsigned status = 0;
    ap_uint<CONFIG_T::waddr_bits> word = base, words_left = count - 1;
    ap_uint<CONFIG_T::log2_columns + 1> part = 0;  // beat within the word
    tile_word<CONFIG_T> gathered = 0;
LOAD_WEIGHT_BEATS:
    for (bool more = true; more;) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=4 max=262144
#ifndef __SYNTHESIS__
        check_beat(in, (unsigned long long)(count - 1 - words_left) * CONFIG_T::columns + part,
                   (unsigned long long)count * CONFIG_T::columns);
#endif
        const axis_beat beat = in.read();
        const bool word_end = part == CONFIG_T::columns - 1;
        status |= tlast_status(beat.last, word_end && words_left == 0);
        const unsigned slice = unsigned(part) % beats_per_tile;
        gathered.range(64 * slice + 63, 64 * slice) = beat.data;
        if (slice + 1 == beats_per_tile) {
        WRITE_TILE:
            for (unsigned t = 0; t < CONFIG_T::tiles; t++) {
#pragma HLS UNROLL
                if (t == unsigned(part) / beats_per_tile) write_tile<CONFIG_T>(weights_uram, weights_bram, t, word, gathered);
            }
        }
        if (word_end) {
            part = 0;
            more = words_left != 0;
            word++;
            words_left--;
        } else {
            part++;
        }
    }
    return status;
}

// Each unit is two beats: (b_i, b_f) then (b_g, b_o), int32 pairs. Unit u is in bank u % E at
// line u / E, as the two 64-bit halves the elementwise unit reads in one cycle.
template <class CONFIG_T>
unsigned load_bias(hls::stream<axis_beat>& in, ap_uint<64> bias[CONFIG_T::bias_lines][CONFIG_T::ew_lanes][2],
                   unsigned base, unsigned count) {
    constexpr unsigned E = CONFIG_T::ew_lanes;
    unsigned status = 0;
    ap_uint<bits_for(CONFIG_T::bias_depth)> unit = base, units_left = count - 1;
    bool high = false;  // the second beat of the unit
LOAD_BIAS_BEATS:
    for (bool more = true; more;) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=2 max=2048
#ifndef __SYNTHESIS__
        check_beat(in, 2ull * (count - 1 - units_left) + high, 2ull * count);
#endif
        const axis_beat beat = in.read();
        status |= tlast_status(beat.last, high && units_left == 0);
        bias[unsigned(unit) >> log2_exact(E)][unsigned(unit) & (E - 1)][high ? 1 : 0] = beat.data;
        if (high) {
            more = units_left != 0;
            unit++;
            units_left--;
        }
        high = !high;
    }
    return status;
}

// SIG[0..4095] then TANH[0..4095], 4 int16 per beat: one table word per beat, into every
// elementwise lane's copies (the sigmoid into both of a lane's sigmoid tables).
template <class CONFIG_T>
unsigned load_tables(hls::stream<axis_beat>& in, ap_uint<64> sig_if[CONFIG_T::ew_lanes][CONFIG_T::table_words],
                     ap_uint<64> sig_o[CONFIG_T::ew_lanes][CONFIG_T::table_words],
                     ap_uint<64> tanh_lut[CONFIG_T::ew_lanes][CONFIG_T::table_words]) {
    unsigned status = 0;
LOAD_TABLE_BEATS:
    for (ap_uint<12> i = 0;; i++) {
#pragma HLS PIPELINE II=1
#ifndef __SYNTHESIS__
        check_beat(in, i, TABLE_BEATS);
#endif
        const axis_beat beat = in.read();
        const bool final_beat = i == TABLE_BEATS - 1;
        status |= tlast_status(beat.last, final_beat);
        const bool is_sigmoid = !i[10];  // beats 0..1023: SIG, 1024..2047: TANH
        const ap_uint<10> word = i(9, 0);
    TABLE_COPIES:
        for (unsigned u = 0; u < CONFIG_T::ew_lanes; u++) {
#pragma HLS UNROLL
            if (is_sigmoid) {
                sig_if[u][word] = beat.data;
                sig_o[u][word] = beat.data;
            } else {
                tanh_lut[u][word] = beat.data;
            }
        }
        if (final_beat) break;
    }
    return status;
}

}  // namespace sharp

#endif
