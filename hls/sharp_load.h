// The LOAD opcodes (docs/ARCHITECTURE.md §8): one in_stream beat per cycle into the weight,
// bias and table buffers, which persist across calls like the BRAM they synthesize to.
#ifndef SHARP_LOAD_H
#define SHARP_LOAD_H

#include "sharp_beats.h"
#include "sharp_mac.h"

namespace sharp {

// A LOAD writes `count` >= 1 entries from `base`, all inside the buffer.
inline bool load_range_fits(unsigned base, unsigned count, unsigned depth) {
    return count >= 1 && count <= depth && base <= depth - count;
}

// Each word is P/4 beats of 4 int16, lanes in order, so K/4 beats per tile. A tile's beats are
// gathered in a register and written as one whole tile word: one write per RAM, no
// read-modify-write of a wide word.
template <class CONFIG_T>
unsigned load_weights(hls::stream<axis_beat>& in,
                      tile_word<CONFIG_T> weights[CONFIG_T::tiles][CONFIG_T::weight_depth],
                      unsigned base, unsigned count) {
    constexpr unsigned beats_per_tile = CONFIG_T::lanes / INT16_PER_BEAT;
    constexpr unsigned beats_per_word = CONFIG_T::macs / INT16_PER_BEAT;
    const unsigned long long beats = (unsigned long long)count * beats_per_word;
    unsigned status = 0;
    unsigned word = base;
    unsigned part = 0;
    tile_word<CONFIG_T> gathered = 0;
LOAD_WEIGHT_BEATS:
    for (unsigned long long i = 0; i < beats; i++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=1 max=262144
        const axis_beat beat = take_beat(in, i, beats);
        status |= tlast_status(beat.last, i, beats);
        const unsigned slice = part % beats_per_tile;
        gathered.range(64 * slice + 63, 64 * slice) = beat.data;
        if (slice + 1 == beats_per_tile) weights[part / beats_per_tile][word] = gathered;
        if (part + 1 == beats_per_word) {
            part = 0;
            word++;
        } else {
            part++;
        }
    }
    return status;
}

// Each unit is two beats: (b_i, b_f) then (b_g, b_o), int32.
// They are stored by row 4j + gate, banked like the row sums they are added to.
template <class CONFIG_T>
unsigned load_bias(hls::stream<axis_beat>& in, q32_t bias[CONFIG_T::bias_lines][CONFIG_T::row_banks],
                   unsigned base, unsigned count) {
    const unsigned long long beats = 2ull * count;
    unsigned status = 0;
LOAD_BIAS_BEATS:
    for (unsigned long long i = 0; i < beats; i++) {
#pragma HLS PIPELINE II=1
#pragma HLS LOOP_TRIPCOUNT min=2 max=2048
        const axis_beat beat = take_beat(in, i, beats);
        status |= tlast_status(beat.last, i, beats);
        const unsigned row = 4 * base + 2 * (unsigned)i;  // = 4 (base + i/2) + 2 (i & 1)
    BIAS_GATES:
        for (unsigned e = 0; e < 2; e++) {
#pragma HLS UNROLL
            bias[(row + e) >> CONFIG_T::log2_row_banks][(row + e) & (CONFIG_T::row_banks - 1)] =
                beat_int32(beat, e);
        }
    }
    return status;
}

// SIG[0..4095] then TANH[0..4095], 4 int16 per beat, into every elementwise lane's copies
// (the sigmoid into both of a lane's sigmoid tables).
template <class CONFIG_T>
unsigned load_tables(hls::stream<axis_beat>& in, q16_t sig_if[CONFIG_T::ew_lanes][TABLE_SIZE],
                     q16_t sig_o[CONFIG_T::ew_lanes][TABLE_SIZE],
                     q16_t tanh_lut[CONFIG_T::ew_lanes][TABLE_SIZE]) {
    constexpr unsigned table_beats = TABLE_SIZE / INT16_PER_BEAT;
    unsigned status = 0;
LOAD_TABLE_BEATS:
    for (unsigned i = 0; i < TABLE_BEATS; i++) {
#pragma HLS PIPELINE II=1
        const axis_beat beat = take_beat(in, i, TABLE_BEATS);
        status |= tlast_status(beat.last, i, TABLE_BEATS);
        const bool is_sigmoid = i < table_beats;
        const unsigned entry = (is_sigmoid ? i : i - table_beats) * INT16_PER_BEAT;
    TABLE_ENTRIES:
        for (unsigned e = 0; e < INT16_PER_BEAT; e++) {
#pragma HLS UNROLL
            const q16_t value = beat_int16(beat, e);
        TABLE_COPIES:
            for (unsigned u = 0; u < CONFIG_T::ew_lanes; u++) {
#pragma HLS UNROLL
                if (is_sigmoid) {
                    sig_if[u][entry + e] = value;
                    sig_o[u][entry + e] = value;
                } else {
                    tanh_lut[u][entry + e] = value;
                }
            }
        }
    }
    return status;
}

}  // namespace sharp

#endif
