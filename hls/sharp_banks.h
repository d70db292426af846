// Banked buffers with one access per bank per cycle, so the II=1 schedule needs no more ports
// than a dual-port BRAM has, and the tool can see it: every access below is written per bank
// (a rotation), never as N accesses at run-time indices into one partitioned array.
//   vector slots:  element i at bank i % P, line i / P; a chunk of w <= P elements lies in
//                  one line, so the broadcast reads one whole line.
//   row buffers:   row r at bank r % NB, address r / NB (NB = max(N, 4), a multiple of 4);
//                  a batch's G <= N consecutive rows and the E units' 4E <= NB rows touch a
//                  bank once.
//   cell state:    unit j at bank j % E, address j / E.
#ifndef SHARP_BANKS_H
#define SHARP_BANKS_H

#include "sharp_config.h"
#include "sharp_fixed.h"

namespace sharp {

// A banked buffer holds element i at bank i % BANKS, line i / BANKS (BANKS a power of two).
// A run of COUNT <= BANKS consecutive elements from `first` touches each bank once: bank b
// holds element first + ((b - first) mod BANKS), on line first / BANKS, or the next line for
// the banks before first's.

// Write values[0..count) to elements first.., count <= COUNT.
template <class T, unsigned BANKS, unsigned DEPTH, unsigned COUNT>
void write_banked(T buf[DEPTH][BANKS], unsigned first, unsigned count, const T values[COUNT]) {
#pragma HLS INLINE
    static_assert(COUNT <= BANKS && is_pow2(BANKS), "a run touches each bank once");
    constexpr unsigned log2_banks = log2_exact(BANKS);
    const unsigned offset = first & (BANKS - 1);
    const unsigned base = first >> log2_banks;
WRITE_BANKS:
    for (unsigned b = 0; b < BANKS; b++) {
#pragma HLS UNROLL
        const unsigned g = (b - offset) & (BANKS - 1);
        if (g < count) buf[base + (b < offset ? 1 : 0)][b] = values[g];
    }
}

// Read elements first .. first + COUNT - 1 (elements past the buffer read as 0).
template <class T, unsigned BANKS, unsigned DEPTH, unsigned COUNT>
void read_banked(const T buf[DEPTH][BANKS], unsigned first, T values[COUNT]) {
#pragma HLS INLINE
    static_assert(COUNT <= BANKS && is_pow2(BANKS), "a run touches each bank once");
    constexpr unsigned log2_banks = log2_exact(BANKS);
    const unsigned offset = first & (BANKS - 1);
    const unsigned base = first >> log2_banks;
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

// Row buffers (x projection, recurrent sums, biases): rows first_row .. first_row + COUNT - 1.
template <class CONFIG_T, unsigned DEPTH, unsigned COUNT>
void write_rows(q32_t buf[DEPTH][CONFIG_T::row_banks], unsigned first_row, unsigned count,
                const q32_t values[COUNT]) {
#pragma HLS INLINE
    write_banked<q32_t, CONFIG_T::row_banks, DEPTH, COUNT>(buf, first_row, count, values);
}

template <class CONFIG_T, unsigned DEPTH, unsigned COUNT>
void read_rows(const q32_t buf[DEPTH][CONFIG_T::row_banks], unsigned first_row, q32_t values[COUNT]) {
#pragma HLS INLINE
    read_banked<q32_t, CONFIG_T::row_banks, DEPTH, COUNT>(buf, first_row, values);
}

// The line of a vector slot (x_t or h_t) that holds element `first`: one read per bank.
template <class CONFIG_T, unsigned LINES>
void read_line(const q16_t slot[LINES][CONFIG_T::macs], unsigned first, q16_t line[CONFIG_T::macs]) {
#pragma HLS INLINE
LINE_BANKS:
    for (unsigned b = 0; b < CONFIG_T::macs; b++) {
#pragma HLS UNROLL
        line[b] = slot[first >> CONFIG_T::log2_macs][b];
    }
}

// One element of a vector slot at a run-time index.
template <class CONFIG_T, unsigned LINES>
void write_element(q16_t slot[LINES][CONFIG_T::macs], unsigned index, q16_t value) {
#pragma HLS INLINE
    slot[index >> CONFIG_T::log2_macs][index & (CONFIG_T::macs - 1)] = value;
}

}  // namespace sharp

#endif
