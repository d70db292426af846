// The LSTM's elementwise datapath (docs/ARCHITECTURE.md §3, "One LSTM step"; cell = 0), cut
// into the stages of rtl/lstm_cell.sv. A unit read at cycle e is in the h buffer from e + 6:
//   e   read xp, z, bias, c_{t-1} (sharp_run.h)
//   e+1 table indices of z = sat32(sat32(xp + b) + z_h); table reads  z_index, table_read (sharp_fixed.h)
//   e+2 f*c and i*g                                                          (DSP48 products)
//   e+3 c_t = sat16(rnd(f c, 15) + rnd(i g, 19)), written back; tanh(c_t) read  cell_next, c_index
//   e+4 o*tanh(c_t)
//   e+5 h_t = sat16(rnd(o tanh(c_t), 15)), packed into the out_stream beat      hidden_out
// No stage holds more than a table read after a few adds, or one 16x16 product.
#ifndef SHARP_LSTM_CELL_H
#define SHARP_LSTM_CELL_H

#include "sharp_config.h"
#include "sharp_fixed.h"

namespace sharp {

// c_t = sat16(rnd(f c, 15) + rnd(i g, 19)), Q4.11
inline q16_t cell_next(const ap_int<32>& fc, const ap_int<32>& ig) {
#pragma HLS INLINE
    return sat<16>(ap_int<34>(rnd_const<HF>(fc)) + rnd_const<2 * HF - CF>(ig));
}

// idxc(c) = clamp(rnd(c, 3) + 2048, 0, 4095)
inline table_index_t c_index(const q16_t& c) {
#pragma HLS INLINE
    return table_index<CF>(c);
}

// h_t = sat16(rnd(o tanh(c_t), 15)), Q.15
inline q16_t hidden_out(const ap_int<32>& oc) {
#pragma HLS INLINE
    return sat<16>(rnd_const<HF>(oc));
}

}  // namespace sharp

#endif
