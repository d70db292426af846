// Reading in_stream beats: the TLAST rules of docs/ARCHITECTURE.md §7 and the C-simulation
// guard for a stream that ends early.
#ifndef SHARP_BEATS_H
#define SHARP_BEATS_H

#ifndef __SYNTHESIS__
#include <cstdio>
#include <cstdlib>
#endif

#include "sharp_top.h"

namespace sharp {

// EARLY_TLAST: TLAST before the last expected beat; MISSING_TLAST: the last beat lacks it.
inline unsigned tlast_status(bool last, unsigned long long index, unsigned long long count) {
#pragma HLS INLINE
    const bool final_beat = index + 1 == count;
    if (last && !final_beat) return STATUS_EARLY_TLAST;
    if (!last && final_beat) return STATUS_MISSING_TLAST;
    return 0;
}

#ifndef __SYNTHESIS__
// The hardware waits for the missing beats until the host pulses ap_rst_n; a C simulation
// has no reset to wait for, so it stops and says how many beats it was waiting for.
inline void stream_ended_early(unsigned long long received, unsigned long long expected) {
    std::fprintf(stderr, "sharp_top: in_stream ended after %llu of the %llu beats this operation "
                 "expects; the hardware would wait here until ap_rst_n\n", received, expected);
    std::exit(3);
}
#endif

// A blocking read (a load loop stalls on an empty stream, as the hardware does).
inline axis_beat take_beat(hls::stream<axis_beat>& in, unsigned long long index,
                           unsigned long long count) {
#pragma HLS INLINE
#ifndef __SYNTHESIS__
    if (in.empty()) stream_ended_early(index, count);
#endif
    return in.read();
}

inline q16_t beat_int16(const axis_beat& beat, unsigned e) {
#pragma HLS INLINE
    return q16_t(ap_uint<16>(beat.data >> (16 * e)));
}

inline q32_t beat_int32(const axis_beat& beat, unsigned e) {
#pragma HLS INLINE
    return q32_t(ap_uint<32>(beat.data >> (32 * e)));
}

}  // namespace sharp

#endif
