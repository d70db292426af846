// The reconfigurable MAC array (docs/ARCHITECTURE.md §4): N tiles of K lanes fused at run
// time into groups of m = 2^group tiles; each group computes one row's dot product.
#ifndef SHARP_MAC_H
#define SHARP_MAC_H

#include "sharp_fixed.h"

namespace sharp {

// A weight word as the buffer stores it: one wide word per tile, lane k's int16 in bits
// 16k..16k+15, so one read of a tile's RAM feeds all K lanes of that tile.
template <class CONFIG_T>
using tile_word = ap_uint<16 * CONFIG_T::lanes>;

// The P lane weights of the N tile words: wiring only. Cut in 64-bit quads (one LOAD beat
// each) first, so the C simulation shifts P/4 wide words per issue instead of P.
template <class CONFIG_T>
void unpack_weights(const tile_word<CONFIG_T> words[CONFIG_T::tiles], q16_t weights[CONFIG_T::macs]) {
#pragma HLS INLINE
    constexpr unsigned quads_per_tile = CONFIG_T::lanes / 4;
UNPACK_QUADS:
    for (unsigned q = 0; q < CONFIG_T::macs / 4; q++) {
#pragma HLS UNROLL
        const ap_uint<64> quad = words[q / quads_per_tile] >> (64 * (q % quads_per_tile));
    UNPACK_LANES:
        for (unsigned e = 0; e < 4; e++) {
#pragma HLS UNROLL
            weights[4 * q + e] = q16_t(ap_uint<16>(quad >> (16 * e)));
        }
    }
}

// Vector broadcast: lane l = g*w + j of every group sees v[first + j] (first = chunk*w), zero
// past `length` (and everywhere when `zero`, which is how h_{-1} = 0 costs no clearing loop).
// The w elements of a chunk lie in one line of P elements, from bank first % P.
template <class CONFIG_T>
void broadcast(const q16_t line[CONFIG_T::macs], unsigned length, unsigned first, unsigned width_log2,
               bool zero, q16_t lane_in[CONFIG_T::macs]) {
#pragma HLS INLINE
    const unsigned lane_mask = (1u << width_log2) - 1;
    const unsigned offset = first & (CONFIG_T::macs - 1);
BROADCAST:
    for (unsigned l = 0; l < CONFIG_T::macs; l++) {
#pragma HLS UNROLL
        const unsigned j = l & lane_mask;
        lane_in[l] = (!zero && first + j < length) ? line[offset + j] : q16_t(0);
    }
}

// Every lane is a registered multiply-accumulate: acc <- (first ? 0 : acc) + w*v (one DSP48).
template <class CONFIG_T>
void mac_lanes(const q16_t weights[CONFIG_T::macs], const q16_t lane_in[CONFIG_T::macs],
               bool first, acc_t acc[CONFIG_T::macs]) {
#pragma HLS INLINE
LANES:
    for (unsigned l = 0; l < CONFIG_T::macs; l++) {
#pragma HLS UNROLL
        const acc_t base = first ? acc_t(0) : acc[l];
        acc[l] = base + weights[l] * lane_in[l];
    }
}

// Reduction tree: K lanes per tile (log2 K levels), then tiles pairwise (log2 N levels).
// Group g's row sum is node g of level `group`; G = N >> group sums are valid.
template <class CONFIG_T>
void reduce_rows(const acc_t acc[CONFIG_T::macs], unsigned group, acc_t row_sum[CONFIG_T::tiles]) {
#pragma HLS INLINE
    acc_t level[CONFIG_T::log2_tiles + 1][CONFIG_T::tiles];
#pragma HLS ARRAY_PARTITION variable=level complete dim=0
TILE_SUMS:
    for (unsigned n = 0; n < CONFIG_T::tiles; n++) {
#pragma HLS UNROLL
        acc_t sum = 0;
    TILE_LANES:
        for (unsigned k = 0; k < CONFIG_T::lanes; k++) {
#pragma HLS UNROLL
            sum += acc[n * CONFIG_T::lanes + k];
        }
        level[0][n] = sum;
    }
FUSE_LEVELS:
    for (unsigned s = 1; s <= CONFIG_T::log2_tiles; s++) {
#pragma HLS UNROLL
    FUSE_PAIRS:
        for (unsigned n = 0; n < CONFIG_T::tiles; n++) {
#pragma HLS UNROLL
            if (n < (CONFIG_T::tiles >> s)) level[s][n] = level[s - 1][2 * n] + level[s - 1][2 * n + 1];
        }
    }
SELECT_LEVEL:
    for (unsigned g = 0; g < CONFIG_T::tiles; g++) {
#pragma HLS UNROLL
        row_sum[g] = g < (CONFIG_T::tiles >> group) ? level[group][g] : acc_t(0);
    }
}

}  // namespace sharp

#endif
