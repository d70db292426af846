// The elementwise unit's datapath (docs/ARCHITECTURE.md §3, "one LSTM step"): one hidden unit
// from its four gate rows (gate-interleaved rows 4j+0..3 = i, f, g, o). The scheduler loop
// instantiates it E = max(1, N/8) times, each with its own copy of the tables.
#ifndef SHARP_CELL_H
#define SHARP_CELL_H

#include "sharp_fixed.h"

namespace sharp {

// Three sigmoid reads and two tanh reads per unit: the sigmoid table is kept twice
// (sig_if read for i and f, sig_o for o; dual port each), the tanh table once (g and tanh(c)).
template <class CONFIG_T>
void cell_update(const q32_t xp[4], const q32_t recurrent[4], q16_t c_prev,
                 const q16_t sig_if[TABLE_SIZE], const q16_t sig_o[TABLE_SIZE],
                 const q16_t tanh_lut[TABLE_SIZE], q16_t& c_new, q16_t& h_new) {
#pragma HLS INLINE
    q32_t z[4];
#pragma HLS ARRAY_PARTITION variable=z complete
GATES:
    for (unsigned q = 0; q < 4; q++) {
#pragma HLS UNROLL
        z[q] = sat<32>(ap_int<33>(xp[q]) + recurrent[q]);
    }
    const q16_t i = sig_if[table_index<ZF>(z[0])];
    const q16_t f = sig_if[table_index<ZF>(z[1])];
    const q16_t g = tanh_lut[table_index<ZF>(z[2])];
    const q16_t o = sig_o[table_index<ZF>(z[3])];
    const ap_int<32> fc = f * c_prev;
    const ap_int<32> ig = i * g;
    c_new = sat<16>(ap_int<34>(rnd_const<HF>(fc)) + rnd_const<2 * HF - CF>(ig));
    const ap_int<32> oc = o * tanh_lut[table_index<CF>(c_new)];
    h_new = sat<16>(rnd_const<HF>(oc));
}

}  // namespace sharp

#endif
