// Banked buffers with one access per bank per cycle, so the II=1 schedule needs no more ports
// than a dual-port BRAM has, and the tool can see it: every access below is written per bank
// (a rotation), never as N accesses at run-time indices into one partitioned array.
//   vector slots:  element i at bank i % P, line i / P; a chunk of w <= P elements lies in
//                  one line, so the broadcast reads one whole line.
//   row buffers:   row r at bank r % NB, address r / NB (NB = max(N, 4), a multiple of 4);
//                  a batch's G <= N consecutive rows and a unit's 4 rows touch a bank once.
#ifndef SHARP_BANKS_H
#define SHARP_BANKS_H

#include "sharp_fixed.h"

namespace sharp {

// Write values[0..count) to rows first_row.., count <= N.
template <class CONFIG_T, unsigned DEPTH>
void write_rows(q32_t buf[DEPTH][CONFIG_T::row_banks], unsigned first_row, unsigned count,
                const q32_t values[CONFIG_T::tiles]) {
#pragma HLS INLINE
    const unsigned offset = first_row & (CONFIG_T::row_banks - 1);
    const unsigned base = first_row >> CONFIG_T::log2_row_banks;
WRITE_BANKS:
    for (unsigned b = 0; b < CONFIG_T::row_banks; b++) {
#pragma HLS UNROLL
        const unsigned g = (b - offset) & (CONFIG_T::row_banks - 1);
        if (g < count) buf[base + (b < offset ? 1 : 0)][b] = values[g];
    }
}

// Read rows first_row .. first_row + N - 1 (rows past the buffer read as 0).
template <class CONFIG_T, unsigned DEPTH>
void read_rows(const q32_t buf[DEPTH][CONFIG_T::row_banks], unsigned first_row,
               q32_t values[CONFIG_T::tiles]) {
#pragma HLS INLINE
    const unsigned offset = first_row & (CONFIG_T::row_banks - 1);
    const unsigned base = first_row >> CONFIG_T::log2_row_banks;
    q32_t line[CONFIG_T::row_banks];
#pragma HLS ARRAY_PARTITION variable=line complete
READ_BANKS:
    for (unsigned b = 0; b < CONFIG_T::row_banks; b++) {
#pragma HLS UNROLL
        const unsigned address = base + (b < offset ? 1 : 0);
        line[b] = address < DEPTH ? buf[address][b] : q32_t(0);
    }
ROTATE:
    for (unsigned g = 0; g < CONFIG_T::tiles; g++) {
#pragma HLS UNROLL
        values[g] = line[(offset + g) & (CONFIG_T::row_banks - 1)];
    }
}

// Read the four gate rows 4j .. 4j + 3 of hidden unit j: one address, four adjacent banks.
template <class CONFIG_T, unsigned DEPTH>
void read_unit(const q32_t buf[DEPTH][CONFIG_T::row_banks], unsigned unit, q32_t values[4]) {
#pragma HLS INLINE
    const unsigned row = 4 * unit;
    const unsigned offset = row & (CONFIG_T::row_banks - 1);
    q32_t line[CONFIG_T::row_banks];
#pragma HLS ARRAY_PARTITION variable=line complete
UNIT_BANKS:
    for (unsigned b = 0; b < CONFIG_T::row_banks; b++) {
#pragma HLS UNROLL
        line[b] = buf[row >> CONFIG_T::log2_row_banks][b];
    }
UNIT_GATES:
    for (unsigned q = 0; q < 4; q++) {
#pragma HLS UNROLL
        values[q] = line[offset + q];
    }
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
