// The contract's number format (docs/ARCHITECTURE.md §3): storage types, the one rounding
// rule (round half up) and saturation, shared by the MAC array and the elementwise unit.
#ifndef SHARP_FIXED_H
#define SHARP_FIXED_H

#include <ap_int.h>

namespace sharp {

typedef ap_int<16> q16_t;    // x, weights, gate activations, c, h
typedef ap_int<32> q32_t;    // bias, x projection, pre-activation
typedef ap_int<48> acc_t;    // a DSP48 P register: every MAC lane and reduction-tree node

constexpr int ZF = 12;  // fractional bits of z and of the bias
constexpr int CF = 11;  // fractional bits of c
constexpr int HF = 15;  // fractional bits of h and of the gate activations
constexpr unsigned LUT_BITS = 12;
constexpr unsigned TABLE_SIZE = 1u << LUT_BITS;
constexpr unsigned TABLE_CENTER = TABLE_SIZE / 2;
constexpr unsigned MAX_SHIFT = 40;

// rnd(v, S) with a constant S > 0 (the elementwise unit's fixed shifts).
template <int S, int W>
ap_int<W + 1> rnd_const(const ap_int<W>& v) {
#pragma HLS INLINE
    static_assert(S > 0 && S < W, "a constant rounding shift must be in 1..W-1");
    ap_int<W + 1> biased = v;
    biased += ap_int<W + 1>(1) << (S - 1);
    return biased >> S;
}

// sat_n(v) = min(max(v, -2^(n-1)), 2^(n-1) - 1)
template <int N, int W>
ap_int<N> sat(const ap_int<W>& v) {
#pragma HLS INLINE
    static_assert(N <= W && N <= 32, "saturation narrows to at most 32 bits");
    const long long hi = (1LL << (N - 1)) - 1;
    const long long lo = -(1LL << (N - 1));
    if (v > hi) return ap_int<N>(hi);
    if (v < lo) return ap_int<N>(lo);
    return ap_int<N>(v);
}

// idx(v) = clamp(rnd(v, FRAC - 8) + 2048, 0, 4095): the table sample nearest to v.
template <int FRAC, int W>
ap_uint<LUT_BITS> table_index(const ap_int<W>& v) {
#pragma HLS INLINE
    const ap_int<W + 2> centered = ap_int<W + 2>(rnd_const<FRAC - 8>(v)) + TABLE_CENTER;
    if (centered < 0) return 0;
    if (centered > (int)(TABLE_SIZE - 1)) return TABLE_SIZE - 1;
    return ap_uint<LUT_BITS>(centered);
}

// ---- shared by both cells' datapaths (lstm_cell.h, gru_cell.h)

typedef ap_int<34> xp_t;  // phase A row sums: rnd(W_x.x, sx) clamped to 34 bits (sharp_run.h)
typedef ap_uint<LUT_BITS> table_index_t;

// idx(z) for z = sat32(sat32(xp + b) + zh): clamp(rnd(z, 4) + 2048, 0, 4095) =
// clamp((z + 8 + 32768) >> 4, 0, 4095). The clamp covers the outer sat32 (a sum beyond int32
// clamps to the same edge), so only the inner one is computed.
inline table_index_t z_index(const xp_t& xp, const q32_t& bias, const q32_t& zh) {
#pragma HLS INLINE
    const q32_t xpb = sat<32>(ap_int<35>(xp) + bias);
    const ap_int<34> shifted = (ap_int<34>(xpb) + zh + 32776) >> 4;
    if (shifted < 0) return 0;
    if (shifted > (int)(TABLE_SIZE - 1)) return TABLE_SIZE - 1;
    return table_index_t(shifted);
}

// A table is 1024 words of four entries; entry k is element k % 4 of word k / 4.
inline q16_t table_read(const ap_uint<64> table[TABLE_SIZE / 4], table_index_t index) {
#pragma HLS INLINE
    const ap_uint<64> word = table[index >> 2];
    return q16_t(ap_uint<16>(word >> (16 * unsigned(index & 3))));
}

}  // namespace sharp

#endif
