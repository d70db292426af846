// Banked buffers with one access per bank per cycle, so the II=1 schedule needs no more ports
// than a RAM has, and the tool can see it: every multi-element access below is written per
// bank (a rotation), never as several accesses at run-time indices into one array.
// A banked buffer holds element i at bank i % BANKS, line i / BANKS (BANKS a power of two).
// A run of COUNT <= BANKS consecutive elements from `first` touches each bank once: bank b
// holds element first + ((b - first) mod BANKS), on line first / BANKS, or the next line for
// the banks before first's. Used for the row sums (E units = 4E rows a cycle), the biases and
// the cell state (E units a cycle).
#ifndef SHARP_BANKS_H
#define SHARP_BANKS_H

#include "sharp_config.h"
#include "sharp_fixed.h"

namespace sharp {

// Read elements first .. first + COUNT - 1 (elements past the buffer read as 0).
template <class T, unsigned BANKS, unsigned DEPTH, unsigned COUNT, class INDEX>
void read_banked(const T buf[DEPTH][BANKS], INDEX first, T values[COUNT]) {
#pragma HLS INLINE
    static_assert(COUNT <= BANKS && is_pow2(BANKS), "a run touches each bank once");
    constexpr unsigned log2_banks = log2_exact(BANKS);
    const unsigned offset = unsigned(first) & (BANKS - 1);
    const unsigned base = unsigned(first) >> log2_banks;
    T line[BANKS];
#pragma HLS ARRAY_PARTITION variable=line complete
READ_BANKS:
    for (unsigned b = 0; b < BANKS; b++) {
#pragma HLS UNROLL
        const unsigned address = base + (b < offset ? 1 : 0);
        line[b] = address < DEPTH ? buf[address][b] : T(0);
    }
ROTATE:
    for (unsigned g = 0; g < COUNT; g++) {
#pragma HLS UNROLL
        values[g] = line[(offset + g) & (BANKS - 1)];
    }
}

// A write to a banked buffer, planned by the stage that computes it (per bank: enable,
// address, data) and applied at the end of the cycle, after every read of the cycle (reads
// first: no false intra-cycle dependence). Plan writing values[g] to element first + g for
// every lane g whose bit is set in `lanes`.
template <class T, unsigned BANKS, unsigned COUNT, class INDEX, class ADDRESS>
void plan_banked_write(bool enable[BANKS], ADDRESS address[BANKS], T data[BANKS], INDEX first,
                       ap_uint<COUNT> lanes, const T values[COUNT]) {
#pragma HLS INLINE
    static_assert(COUNT <= BANKS && is_pow2(BANKS), "a run touches each bank once");
    constexpr unsigned log2_banks = log2_exact(BANKS);
    const unsigned offset = unsigned(first) & (BANKS - 1);
    const unsigned base = unsigned(first) >> log2_banks;
PLAN_BANKS:
    for (unsigned b = 0; b < BANKS; b++) {
#pragma HLS UNROLL
        const unsigned g = (b - offset) & (BANKS - 1);
        enable[b] = g < COUNT && lanes[g < COUNT ? g : 0];
        address[b] = base + (b < offset ? 1 : 0);
        data[b] = values[g < COUNT ? g : 0];
    }
}

template <class T, unsigned BANKS, unsigned DEPTH, class ADDRESS>
void apply_banked_write(T buf[DEPTH][BANKS], const bool enable[BANKS], const ADDRESS address[BANKS],
                        const T data[BANKS]) {
#pragma HLS INLINE
APPLY_BANKS:
    for (unsigned b = 0; b < BANKS; b++) {
#pragma HLS UNROLL
        if (enable[b]) buf[address[b]][b] = data[b];
    }
}

}  // namespace sharp

#endif
