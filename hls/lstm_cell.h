// The LSTM's elementwise datapath (docs/ARCHITECTURE.md §3, "One LSTM step"; cell = 0), cut
// into the stages of rtl/lstm_cell.sv (§6, "The elementwise stages"). A unit read at cycle e is
// in the h buffer from e + 12:
//   e      read xp, z, bias, c_{t-1} (sharp_run.h)
//   e+1    k, phi of i, f, g, o from z = sat32(sat32(xp + b) + z_h)          z_lookup (sharp_fixed.h)
//   e+2..4 the four lookups: read T[k], T[k+1]; (T[k+1] - T[k]) phi; i, f, g, o   table_lookup
//   e+5    f*c (16 x 25 bits) and i*g (16 x 16)                                (DSP48 products)
//   e+6    c_t = sat25(rnd(f c, 15) + rnd(i g, 10)), written back; k, phi of tanh(c_t)
//                                                                            cell_next, c_lookup
//   e+7..9 the tanh lookup: tanh_c(c_t)                                          table_lookup
//   e+10   o*tanh_c(c_t)
//   e+11   h_t = sat16(rnd(o tanh_c(c_t), 15)), packed into the out_stream beat   hidden_out
// No stage holds more than a table read, or one product (with its pre-add), or a few adds.
#ifndef SHARP_LSTM_CELL_H
#define SHARP_LSTM_CELL_H

#include "sharp_config.h"
#include "sharp_fixed.h"

namespace sharp {

// f*c: Q.15 x Q.20, exact in 41 bits (one DSP48: 18 x 25)
typedef ap_int<41> forget_product_t;
// i*g: Q.15 x Q.15, exact in 32 bits
typedef ap_int<32> input_product_t;

// c_t = sat25(rnd(f c, 15) + rnd(i g, 10)), Q.20, range [-16, 16)
inline c25_t cell_next(const forget_product_t& fc, const input_product_t& ig) {
#pragma HLS INLINE
    return sat<C_BITS>(ap_int<43>(rnd_const<HF>(fc)) + rnd_const<2 * HF - CF>(ig));
}

// tanh_c(c) = look(TANH, c, 13): c in [-2^24, 2^24) gives k in [0, 4095], never below 0
inline table_lookup::arg c_lookup(const c25_t& c) {
#pragma HLS INLINE
    return table_lookup::index<CF - STEP_BITS>(c);
}

// h_t = sat16(rnd(o tanh_c(c_t), 15)), Q.15
inline q16_t hidden_out(const ap_int<32>& oc) {
#pragma HLS INLINE
    return sat<16>(rnd_const<HF>(oc));
}

}  // namespace sharp

#endif
