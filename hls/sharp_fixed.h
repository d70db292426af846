// The contract's number format (docs/ARCHITECTURE.md §3): storage types, the one rounding
// rule (round half up) and saturation, shared by the MAC array and the elementwise unit; and
// the interpolated table lookup both cells use (`table_lookup`).
#ifndef SHARP_FIXED_H
#define SHARP_FIXED_H

#include <ap_int.h>

namespace sharp {

typedef ap_int<16> q16_t;    // x, weights, gate activations, h
typedef ap_int<25> c25_t;    // the LSTM's cell state c (Q.20), and a unit of the state buffer
typedef ap_int<32> q32_t;    // bias, x projection, pre-activation
typedef ap_int<48> acc_t;    // a DSP48 P register: every MAC lane and reduction-tree node

constexpr int ZF = 16;      // fractional bits of z and of the bias
constexpr int CF = 20;      // fractional bits of c
constexpr int C_BITS = 25;  // c's width on chip: c in [-16, 16)
constexpr int HF = 15;      // fractional bits of h and of the gate activations
constexpr unsigned LUT_BITS = 12;
constexpr unsigned TABLE_SIZE = 1u << LUT_BITS;
constexpr unsigned TABLE_CENTER = TABLE_SIZE / 2;
constexpr int STEP_BITS = 7;  // the tables sample [-16, 16) at 1/128 = 2^-7
constexpr int PHI_BITS = 13;  // the interpolation weight as the hardware takes it (§3)
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

// ---- the interpolated lookup, look(T, v, s) of §3, in the three stages of §6 after its index
//
// A table is 1024 words of four entries (entry k is element k % 4 of word k / 4), stored as two
// banks, even and odd words (ARRAY_PARTITION cyclic factor=2 in sharp_top.cpp). T[k] and
// T[k+1] are in word k / 4 or in it and the next, which is in the other bank: a lookup reads
// each bank once. A bank is one block RAM with two read ports, so one table copy serves two
// lookups a cycle (sig_if: i and f, or r and u; tanh: g and tanh(c_t), or the GRU's n).
//   index     k = clamp(floor(v / 2^s) + 2048, 0, 4095), phi = the low s bits of v, as 13 bits
//             (phi 2^(13-s)); phi = 0 where k is clamped, so T[0] or T[4095] comes out whole
//   read      T[k], T[k+1] (k + 1 wraps at 4095, where phi = 0), registered
//   multiply  (T[k+1] - T[k]) phi: 17 x 14 bits, a DSP48 with its pre-adder
//   value     T[k] + rnd(product, 13), between T[k] and T[k+1], so it needs no saturation
// rnd(d phi 2^(13-s), 13) = rnd(d phi, s) exactly, so the 13-bit phi is the contract's look.
struct table_lookup {
    typedef ap_uint<LUT_BITS> index_t;
    typedef ap_uint<PHI_BITS> phi_t;
    struct arg {       // the index stage's result
        index_t k;
        phi_t phi;
    };
    struct samples {   // the read stage's: T[k], T[k+1]
        q16_t low, high;
        phi_t phi;
    };
    struct product {   // the multiply stage's
        q16_t low;
        ap_int<31> p;
    };

    // k and phi of v with S + 7 fractional bits (S = 9: z in Q.16; S = 13: c in Q.20). A v
    // beyond int32 gives the edge k a saturated v gives, so a sat32 before it is not needed.
    template <int S, int W>
    static arg index(const ap_int<W>& v) {
#pragma HLS INLINE
        static_assert(S >= 1 && S <= PHI_BITS && W > S, "the step is 2^S units of v");
        constexpr int KW = (W - S > (int)LUT_BITS ? W - S : (int)LUT_BITS) + 2;
        const ap_int<KW> k = ap_int<KW>(v >> S) + (int)TABLE_CENTER;
        arg a;
        if (k < 0) {
            a.k = 0;
            a.phi = 0;
        } else if (k >= (int)(TABLE_SIZE - 1)) {
            a.k = TABLE_SIZE - 1;
            a.phi = 0;
        } else {
            a.k = index_t(k);
            a.phi = phi_t(ap_uint<S>(v)) << (PHI_BITS - S);
        }
        return a;
    }

    // T[k] and T[k+1]: one read of each bank (the even bank at word (w + 1) / 2 * 2, the odd
    // bank at w / 2 * 2 + 1, for w = k / 4), then the entries selected
    static samples read(const ap_uint<64> table[TABLE_SIZE / 4], const arg& a) {
#pragma HLS INLINE
        const ap_uint<LUT_BITS - 2> w = a.k >> 2;
        const index_t next = a.k + 1;  // wraps to 0 at 4095, where phi = 0
        const ap_uint<LUT_BITS - 2> w_next = next >> 2;
        const ap_uint<LUT_BITS - 3> even_line = ap_uint<LUT_BITS - 2>(w + 1) >> 1;
        const ap_uint<LUT_BITS - 3> odd_line = w >> 1;
        const ap_uint<64> even_word = table[ap_uint<LUT_BITS - 2>(even_line) << 1];
        const ap_uint<64> odd_word = table[(ap_uint<LUT_BITS - 2>(odd_line) << 1) | 1];
        const ap_uint<64> word_k = w[0] ? odd_word : even_word;
        const ap_uint<64> word_next = w_next[0] ? odd_word : even_word;
        samples s;
        s.low = q16_t(ap_uint<16>(word_k >> (16 * unsigned(a.k & 3))));
        s.high = q16_t(ap_uint<16>(word_next >> (16 * unsigned(next & 3))));
        s.phi = a.phi;
        return s;
    }

    static product multiply(const samples& s) {
#pragma HLS INLINE
        const ap_int<17> difference = ap_int<17>(s.high) - s.low;  // the pre-adder
        product p;
        p.low = s.low;
        p.p = difference * ap_int<14>(s.phi);
        return p;
    }

    static q16_t value(const product& p) {
#pragma HLS INLINE
        return q16_t(ap_int<17>(p.low) + rnd_const<PHI_BITS>(p.p));
    }
};

// ---- shared by both cells' datapaths (lstm_cell.h, gru_cell.h)

typedef ap_int<34> xp_t;  // phase A row sums: rnd(W_x.x, sx) clamped to 34 bits (sharp_run.h)

// The lookup argument of z = sat32(sat32(xp + b) + zh) (σ, τ: s = 9): the index covers the outer
// sat32 (a sum beyond int32 gives the same edge), so only the inner one is computed.
inline table_lookup::arg z_lookup(const xp_t& xp, const q32_t& bias, const q32_t& zh) {
#pragma HLS INLINE
    const q32_t xpb = sat<32>(ap_int<35>(xp) + bias);
    return table_lookup::index<ZF - STEP_BITS>(ap_int<34>(ap_int<34>(xpb) + zh));
}

}  // namespace sharp

#endif
