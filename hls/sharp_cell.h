// The elementwise unit's datapath (docs/ARCHITECTURE.md §3, "one LSTM step"), cut into the
// stages of rtl/elementwise_unit.sv. A unit read at cycle e is in the h buffer from e + 6:
//   e   read xp, z, bias, c_{t-1} (sharp_run.h)
//   e+1 table indices of z = sat32(sat32(xp + b) + z_h); table reads        z_index, table_read
//   e+2 f*c and i*g                                                          (DSP48 products)
//   e+3 c_t = sat16(rnd(f c, 15) + rnd(i g, 19)), written back; tanh(c_t) read  cell_next, c_index
//   e+4 o*tanh(c_t)
//   e+5 h_t = sat16(rnd(o tanh(c_t), 15)), packed into the out_stream beat      hidden_out
// No stage holds more than a table read after a few adds, or one 16x16 product.
#ifndef SHARP_CELL_H
#define SHARP_CELL_H

#include "sharp_config.h"
#include "sharp_fixed.h"

namespace sharp {

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
