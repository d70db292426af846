// The reconfigurable MAC array (docs/ARCHITECTURE.md §4), as stages of the cycle loop: the
// broadcast (stage 1), the lanes' multiply-accumulate (stage 2) and the reduction tree (one
// register per level), mirroring rtl/vector_broadcast.sv, rtl/mac_lane.sv and
// rtl/reduction_tree.sv. Each function is one clock's worth of logic between registers.
#ifndef SHARP_MAC_H
#define SHARP_MAC_H

#include "sharp_config.h"
#include "sharp_fixed.h"

namespace sharp {

// A weight word as the buffer stores it: one wide word per tile, lane k's int16 in bits
// 16k..16k+15, so one read of a tile's RAM feeds all K lanes of that tile. A tile-sized block
// of a vector line has the same shape.
template <class CONFIG_T>
using tile_word = ap_uint<16 * CONFIG_T::lanes>;

// Tile t's weight RAM (sharp_config.h: tiles below uram_tiles in weights_uram, the others in
// weights_bram). Callers pass t from an unrolled tile loop, so the choice of array is static.
template <class CONFIG_T>
tile_word<CONFIG_T> read_tile(const tile_word<CONFIG_T> weights_uram[CONFIG_T::uram_banks][CONFIG_T::weight_depth],
                              const tile_word<CONFIG_T> weights_bram[CONFIG_T::bram_banks][CONFIG_T::weight_depth],
                              unsigned t, unsigned address) {
#pragma HLS INLINE
    return t < CONFIG_T::uram_tiles ? weights_uram[t][address] : weights_bram[t - CONFIG_T::uram_tiles][address];
}

template <class CONFIG_T>
void write_tile(tile_word<CONFIG_T> weights_uram[CONFIG_T::uram_banks][CONFIG_T::weight_depth],
                tile_word<CONFIG_T> weights_bram[CONFIG_T::bram_banks][CONFIG_T::weight_depth], unsigned t,
                unsigned address, const tile_word<CONFIG_T>& w) {
#pragma HLS INLINE
    if (t < CONFIG_T::uram_tiles) {
        weights_uram[t][address] = w;
    } else {
        weights_bram[t - CONFIG_T::uram_tiles][address] = w;
    }
}

// Reduction-tree node: 32 + log2(max L) bits hold every partial sum exactly (sharp_config.h).
template <class CONFIG_T>
using sum_t = ap_int<CONFIG_T::sum_bits>;

// Stage 1, the broadcast. The vector line read in stage 0 is N tile blocks of K elements. Tile n
// of a group of m = 2^group tiles takes block (part << group) | (n mod m), the same element
// index c*w + j for every group (part = chunk mod G picks the chunk inside the line). So each
// lane chooses among N blocks: an N:1 mux of 16 bits per lane, indexed by tile, never by lane.
// No compare against L: the weights past L are zero (§5), so whatever the line holds there
// contributes nothing. `zero` is B_0's h_{-1} = 0.
template <class CONFIG_T>
void broadcast(const ap_uint<64> line[CONFIG_T::columns], ap_uint<6> part, ap_uint<CONFIG_T::group_bits> group,
               bool zero, tile_word<CONFIG_T> lane_in[CONFIG_T::tiles]) {
#pragma HLS INLINE
    constexpr unsigned cols_per_tile = CONFIG_T::lanes / 4;
    tile_word<CONFIG_T> blocks[CONFIG_T::tiles];
#pragma HLS ARRAY_PARTITION variable=blocks complete
BLOCKS:  // wiring: K/4 columns make one tile block
    for (unsigned b = 0; b < CONFIG_T::tiles; b++) {
#pragma HLS UNROLL
        tile_word<CONFIG_T> block;
    BLOCK_COLUMNS:
        for (unsigned q = 0; q < cols_per_tile; q++) {
#pragma HLS UNROLL
            block.range(64 * q + 63, 64 * q) = line[b * cols_per_tile + q];
        }
        blocks[b] = block;
    }
    const ap_uint<CONFIG_T::log2_tiles + 1> group_mask = (ap_uint<CONFIG_T::log2_tiles + 1>(1) << group) - 1;
TILE_SELECT:
    for (unsigned n = 0; n < CONFIG_T::tiles; n++) {
#pragma HLS UNROLL
        const ap_uint<CONFIG_T::log2_tiles + 1> select =
            (ap_uint<CONFIG_T::log2_tiles + 1>(part) << group) | (ap_uint<CONFIG_T::log2_tiles + 1>(n) & group_mask);
        lane_in[n] = zero ? tile_word<CONFIG_T>(0) : blocks[select & (CONFIG_T::tiles - 1)];
    }
}

// Stage 2: every lane is a registered multiply-accumulate acc <- (first ? 0 : acc) + w*v, the
// clear mux before the add, so it maps to one DSP48 with its P register as acc.
template <class CONFIG_T>
void mac_lanes(const tile_word<CONFIG_T> weights[CONFIG_T::tiles], const tile_word<CONFIG_T> lane_in[CONFIG_T::tiles],
               bool first, acc_t acc[CONFIG_T::macs]) {
#pragma HLS INLINE
MAC_TILES:
    for (unsigned n = 0; n < CONFIG_T::tiles; n++) {
#pragma HLS UNROLL
    MAC_LANES:
        for (unsigned k = 0; k < CONFIG_T::lanes; k++) {
#pragma HLS UNROLL
            const q16_t w = q16_t(ap_uint<16>(weights[n] >> (16 * k)));
            const q16_t v = q16_t(ap_uint<16>(lane_in[n] >> (16 * k)));
            const unsigned l = n * CONFIG_T::lanes + k;
            const acc_t base = first ? acc_t(0) : acc[l];
            acc[l] = base + w * v;
        }
    }
}

// The tree, one register per level (rtl/reduction_tree.sv): log2 K in-tile levels add lane
// pairs; then log2 N fusion levels, where at level f <= group node i becomes node 2i + node 2i+1
// (group sums packed to the low nodes) and above the group nodes pass through. After log2 P
// levels node g holds group g's row sum, g < G = N >> group, at the same latency for every
// grouping. Each level is written only when the batch's last chunk reaches it (a clock enable).
// tile_level[l - 1] holds in-tile level l (1..log2 K, P >> l nodes from index 0); fuse_level[f - 1]
// fusion level f (1..log2 N, N nodes; one spare row when N = 1, never written).
template <class CONFIG_T>
struct tree_shape {
    static constexpr unsigned tile_levels = CONFIG_T::log2_lanes;
    static constexpr unsigned fuse_levels = CONFIG_T::log2_tiles > 0 ? CONFIG_T::log2_tiles : 1;
};

// Node i of fusion level f; level 0 is the tile sums, the last in-tile level.
template <class CONFIG_T>
sum_t<CONFIG_T> tree_node(const sum_t<CONFIG_T> tile_level[tree_shape<CONFIG_T>::tile_levels][CONFIG_T::macs / 2],
                          const sum_t<CONFIG_T> fuse_level[tree_shape<CONFIG_T>::fuse_levels][CONFIG_T::tiles],
                          unsigned f, unsigned i) {
#pragma HLS INLINE
    return f == 0 ? tile_level[CONFIG_T::log2_lanes - 1][i] : fuse_level[f - 1][i];
}

// In-tile level `level` (1..log2 K) from the level below it (the accumulators for level 1).
template <class CONFIG_T>
void tree_tile_level(sum_t<CONFIG_T> tile_level[tree_shape<CONFIG_T>::tile_levels][CONFIG_T::macs / 2],
                     const acc_t acc[CONFIG_T::macs], unsigned level) {
#pragma HLS INLINE
TREE_TILE_NODES:
    for (unsigned i = 0; i < (CONFIG_T::macs >> 1); i++) {
#pragma HLS UNROLL
        if (i < (CONFIG_T::macs >> level)) {
            const unsigned below = level >= 2 ? level - 2 : 0;
            tile_level[level - 1][i] =
                level == 1 ? sum_t<CONFIG_T>(sum_t<CONFIG_T>(acc[2 * i]) + sum_t<CONFIG_T>(acc[2 * i + 1]))
                           : sum_t<CONFIG_T>(tile_level[below][2 * i] + tile_level[below][2 * i + 1]);
        }
    }
}

// Fusion level f (1..log2 N) from level f - 1, at grouping `group`.
template <class CONFIG_T>
void tree_fuse_level(const sum_t<CONFIG_T> tile_level[tree_shape<CONFIG_T>::tile_levels][CONFIG_T::macs / 2],
                     sum_t<CONFIG_T> fuse_level[tree_shape<CONFIG_T>::fuse_levels][CONFIG_T::tiles], unsigned f,
                     ap_uint<CONFIG_T::group_bits> group) {
#pragma HLS INLINE
    const bool add = group >= f;
TREE_FUSE_NODES:
    for (unsigned i = 0; i < CONFIG_T::tiles; i++) {
#pragma HLS UNROLL
        if (add && i < (CONFIG_T::tiles >> f)) {
            fuse_level[f - 1][i] = tree_node<CONFIG_T>(tile_level, fuse_level, f - 1, 2 * i) +
                                   tree_node<CONFIG_T>(tile_level, fuse_level, f - 1, 2 * i + 1);
        } else {
            fuse_level[f - 1][i] = tree_node<CONFIG_T>(tile_level, fuse_level, f - 1, i);
        }
    }
}

}  // namespace sharp

#endif
