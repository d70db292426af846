// Reading in_stream beats: the TLAST rules of docs/ARCHITECTURE.md §7 and the C-simulation
// guard for a stream that ends early.
#ifndef SHARP_BEATS_H
#define SHARP_BEATS_H

#ifndef __SYNTHESIS__
#include <stdexcept>
#include <string>
#endif

#include "sharp_top.h"

namespace sharp {

// EARLY_TLAST: TLAST before the last expected beat; MISSING_TLAST: the last beat lacks it.
// `final_beat` comes from the caller's counters (a flag, not a compare of beat indices).
inline unsigned tlast_status(bool last, bool final_beat) {
#pragma HLS INLINE
    if (last && !final_beat) return STATUS_EARLY_TLAST;
    if (!last && final_beat) return STATUS_MISSING_TLAST;
    return 0;
}

#ifndef __SYNTHESIS__
// The hardware waits for the missing beats until the host pulses ap_rst_n. A C simulation
// cannot wait, so it leaves sharp_top by this exception, which the testbench reports as an
// operation that never finishes. The static buffers keep what was written, as after a reset.
struct stream_ended_early : std::runtime_error {
    unsigned long long received, expected;
    stream_ended_early(unsigned long long got, unsigned long long want)
        : std::runtime_error("in_stream ended after " + std::to_string(got) + " of the " +
                             std::to_string(want) + " beats this operation expects"),
          received(got), expected(want) {}
};
#endif

}  // namespace sharp

#endif
