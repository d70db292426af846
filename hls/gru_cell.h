// The GRU's elementwise datapath (docs/ARCHITECTURE.md §3, "One GRU step"; cell = 1), cut into
// the same twelve stages as the LSTM's (lstm_cell.h) and rtl/gru_cell.sv (§6). Rows r = 3j + gate
// (r, z, n; z is written u), bias unit (b_r, b_u, b_in, b_hn). A unit read at cycle e is in the
// h buffer from e + 12:
//   e      read xp, hp (the recurrent sums), bias, h_{t-1} (sharp_run.h)
//   e+1    k, phi of r, u (z_lookup: sharp_fixed.h); a = sat32(hp_n + b_hn) and
//          sat32(xp_n + b_in) beside them                                         add_bias
//   e+2..4 the two sigmoid lookups (the LSTM's i and f): r, u                     table_lookup
//   e+5    r * a (int16 x int32, exact in 48 bits)                                reset_product
//   e+6    k, phi of n = tanh(sat32(xp_n + b_in + rnd(r a, 15)))                 n_lookup
//   e+7..9 the tanh lookup (the LSTM's tanh(c_t)): n                              table_lookup
//   e+10   u * (h_{t-1} - n) (the difference in 17 bits, the product in 33)       update_product
//   e+11   h_t = sat16(n + rnd(u (h_{t-1} - n), 15)), written back, packed        hidden_next
// No stage holds more than a table read, or one product (with its pre-add), or a few adds.
#ifndef SHARP_GRU_CELL_H
#define SHARP_GRU_CELL_H

#include "sharp_config.h"
#include "sharp_fixed.h"

namespace sharp {

// The GRU datapath's types, passed as CONFIG_T (hls4ml's style): the widths follow from the
// contract's formats (§3), so every product and sum below is exact until its narrowing.
struct gru_format {
    typedef q16_t gate_t;          // r, u, n, h: Q.15
    typedef q32_t pre_t;           // a and xp_n + b_in: Q.16, saturated to int32
    typedef ap_int<48> reset_t;    // r * a: int16 x int32
    typedef ap_int<17> diff_t;     // h_{t-1} - n
    typedef ap_int<33> update_t;   // u * (h_{t-1} - n)
};

// sat32(v + b) of stage 1: a = sat32(hp_n + b_hn), and sat32(xp_n + b_in) (xp clamped to 34 bits
// gives the same sat32 as the unclamped sum, see sharp_run.h's round_clamp).
template <class CONFIG_T, int W>
typename CONFIG_T::pre_t add_bias(const ap_int<W>& v, const q32_t& bias) {
#pragma HLS INLINE
    return sat<32>(ap_int<(W > 32 ? W : 32) + 1>(v) + bias);
}

// r * a, Q.31 (two DSP48s: a is 32 bits)
template <class CONFIG_T>
typename CONFIG_T::reset_t reset_product(const typename CONFIG_T::gate_t& r, const typename CONFIG_T::pre_t& a) {
#pragma HLS INLINE
    return typename CONFIG_T::reset_t(r) * a;
}

// k, phi of tanh(sat32(xn + rnd(r a, 15))) (s = 9): the index covers the sat32, as in z_lookup.
template <class CONFIG_T>
table_lookup::arg n_lookup(const typename CONFIG_T::pre_t& xn, const typename CONFIG_T::reset_t& ra) {
#pragma HLS INLINE
    const ap_int<35> v = ap_int<35>(rnd_const<HF>(ra)) + xn;
    return table_lookup::index<ZF - STEP_BITS>(v);
}

// u * (h_{t-1} - n): one DSP48 with its pre-adder
template <class CONFIG_T>
typename CONFIG_T::update_t update_product(const typename CONFIG_T::gate_t& u, const typename CONFIG_T::gate_t& h,
                                           const typename CONFIG_T::gate_t& n) {
#pragma HLS INLINE
    const typename CONFIG_T::diff_t diff = typename CONFIG_T::diff_t(h) - n;
    return typename CONFIG_T::update_t(u) * diff;
}

// h_t = sat16(n + rnd(u (h_{t-1} - n), 15)) = (1 - u) n + u h_{t-1}, Q.15
template <class CONFIG_T>
typename CONFIG_T::gate_t hidden_next(const typename CONFIG_T::gate_t& n, const typename CONFIG_T::update_t& p) {
#pragma HLS INLINE
    return sat<16>(ap_int<35>(rnd_const<HF>(p)) + n);
}

}  // namespace sharp

#endif
