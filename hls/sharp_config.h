// Build parameters of one SHARP build (docs/ARCHITECTURE.md §2).
// The defaults equal sharp.HardwareConfig(); another build overrides them with -D, e.g.
// -DSHARP_N=2 -DSHARP_K=4. The macros carry a SHARP_ prefix because a bare -DN=2 would
// rewrite every identifier N in the vendor headers included after it.
#ifndef SHARP_CONFIG_H
#define SHARP_CONFIG_H

#ifndef SHARP_N
#define SHARP_N 8  // tiles
#endif
#ifndef SHARP_K
#define SHARP_K 16  // lanes per tile
#endif
#ifndef SHARP_MAX_INPUT
#define SHARP_MAX_INPUT 512
#endif
#ifndef SHARP_MAX_HIDDEN
#define SHARP_MAX_HIDDEN 512
#endif
#ifndef SHARP_WDEPTH
#define SHARP_WDEPTH 8192  // weight words of P int16
#endif
#ifndef SHARP_BDEPTH
#define SHARP_BDEPTH 1024  // bias units of 4 int32
#endif
#ifndef SHARP_MAX_BATCH
#define SHARP_MAX_BATCH 8  // sequences of one batched RUN (§6, "Batched RUNs")
#endif
// Where the weight banks live: tiles 0..SHARP_WEIGHT_URAM_TILES-1 in UltraRAM, the others in
// block RAM. A property of the board (the weight_uram_tiles column of overlay/boards.csv), not
// of the contract: 7-series parts have no URAM.
#ifndef SHARP_WEIGHT_URAM_TILES
#define SHARP_WEIGHT_URAM_TILES 0
#endif

// Loop labels name the loops in the HLS reports and directives; g++ sees labels no goto uses.
#ifndef __SYNTHESIS__
#pragma GCC diagnostic ignored "-Wunused-label"
#endif

namespace sharp {

constexpr unsigned log2_exact(unsigned v) {
    unsigned bits = 0;
    for (; v > 1; v /= 2) bits++;
    return bits;
}
// bits to hold every value 0..v (at least 1)
constexpr unsigned bits_for(unsigned long long v) {
    unsigned bits = 1;
    for (; v > 1; v /= 2) bits++;
    return bits;
}
constexpr bool is_pow2(unsigned v) { return v != 0 && (v & (v - 1)) == 0; }
constexpr unsigned round_up(unsigned v, unsigned m) { return (v + m - 1) / m * m; }
constexpr unsigned max_of(unsigned a, unsigned b) { return a > b ? a : b; }
constexpr unsigned min_of(unsigned a, unsigned b) { return a < b ? a : b; }

// The build as a configuration struct, passed to every kernel template (hls4ml's style).
// Every array of the kernel takes its shape from here; overlay/check_resources.py reads the
// same expressions (tests/test_board_resources.py keeps the two in step).
struct build_config {
    static constexpr unsigned tiles = SHARP_N;
    static constexpr unsigned lanes = SHARP_K;
    static constexpr unsigned macs = SHARP_N * SHARP_K;  // P
    static constexpr unsigned log2_macs = log2_exact(SHARP_N * SHARP_K);
    static constexpr unsigned log2_tiles = log2_exact(SHARP_N);
    static constexpr unsigned log2_lanes = log2_exact(SHARP_K);
    static constexpr unsigned max_input = SHARP_MAX_INPUT;
    static constexpr unsigned max_hidden = SHARP_MAX_HIDDEN;
    static constexpr unsigned weight_depth = SHARP_WDEPTH;
    static constexpr unsigned bias_depth = SHARP_BDEPTH;
    static constexpr unsigned max_batch = SHARP_MAX_BATCH;
    // The weight banks by memory: tile t < uram_tiles is bank t of weights_uram, the others bank
    // t - uram_tiles of weights_bram. C++ has no empty arrays, so a memory without tiles keeps a
    // one-bank array (its banks) that no access reaches: the tile loops are unrolled, so each
    // tile's memory is a constant, and synthesis drops the unused array.
    static constexpr unsigned uram_tiles = SHARP_WEIGHT_URAM_TILES;
    static constexpr unsigned bram_tiles = SHARP_N - SHARP_WEIGHT_URAM_TILES;
    static constexpr unsigned uram_banks = max_of(SHARP_WEIGHT_URAM_TILES, 1);
    static constexpr unsigned bram_banks = max_of(SHARP_N - SHARP_WEIGHT_URAM_TILES, 1);
    // Per-sequence slots (§5, "Internal buffers"): h and the x projection of sequence b, step t
    // in slot 2b + (t mod 2); its recurrent sums and its state in slot b. A slot is the high part
    // of a bank's address (the slot dimension is never partitioned).
    static constexpr unsigned h_slots = 2 * SHARP_MAX_BATCH;
    static constexpr unsigned xp_slots = 2 * SHARP_MAX_BATCH;
    // Vector buffers (x_t, h_t; two slots each, the slot an address bit) in lines of P int16,
    // stored as P/4 columns of 64 bits: one in_stream beat or one beat of four h is one column
    // write. A line is N tile blocks of K elements; the broadcast picks one block per tile.
    static constexpr unsigned columns = SHARP_N * SHARP_K / 4;
    static constexpr unsigned log2_columns = log2_exact(SHARP_N * SHARP_K / 4);
    static constexpr unsigned x_lines = (SHARP_MAX_INPUT + SHARP_N * SHARP_K - 1) / (SHARP_N * SHARP_K);
    static constexpr unsigned h_lines = (SHARP_MAX_HIDDEN + SHARP_N * SHARP_K - 1) / (SHARP_N * SHARP_K);
    // Row buffers (x projection, recurrent sums, by row Q j + gate, sized for the LSTM's Q = 4)
    // in NB banks: a batch's G <= N rows (aligned to G) and the elementwise unit's 4E rows
    // touch each bank once.
    static constexpr unsigned row_banks = max_of(SHARP_N, 4);
    static constexpr unsigned log2_row_banks = log2_exact(max_of(SHARP_N, 4));
    static constexpr unsigned sum_lines = round_up(4 * SHARP_MAX_HIDDEN, max_of(SHARP_N, 4)) / max_of(SHARP_N, 4);
    // E, the hidden units the elementwise unit finishes per cycle (one per 8 tiles, at most the
    // four h of one out_stream beat, §2). Biases live in E banks, unit j in bank j % E, so E
    // consecutive units touch each bank once; a bias unit is two 64-bit halves.
    static constexpr unsigned ew_lanes = min_of(4, max_of(1, SHARP_N / 8));
    // The state (c of an LSTM, h_{t-1} of a GRU; 25-bit units) in four banks, unit j in bank
    // j % 4 at line j / 4: E <= 4 consecutive units touch each bank once, and a beat of a carried
    // state (§8: four h, one line; two c, half a line) is one access per bank.
    static constexpr unsigned state_banks = 4;
    static constexpr unsigned state_lines = SHARP_MAX_HIDDEN / 4;
    static constexpr unsigned bias_lines = round_up(SHARP_BDEPTH, min_of(4, max_of(1, SHARP_N / 8))) /
                                           min_of(4, max_of(1, SHARP_N / 8));
    // An activation table is 1024 words of four int16 (one LOAD beat per word).
    static constexpr unsigned table_words = 1024;
    // Reduction-tree nodes: a dot product of L int16 pairs is below 2^(30 + log2 L) in
    // magnitude, so 32 + log2(max L) bits hold every partial sum the contract's 48-bit nodes do.
    static constexpr unsigned sum_bits = 32 + bits_for(max_of(SHARP_MAX_INPUT, SHARP_MAX_HIDDEN) - 1);
    // Widths of the control registers: what the build needs, never 32 or 64 bits.
    static constexpr unsigned unit_bits = bits_for(SHARP_MAX_HIDDEN);              // j, H
    static constexpr unsigned row_bits = bits_for(4 * SHARP_MAX_HIDDEN);           // rows, R
    static constexpr unsigned col_bits = bits_for(max_of(SHARP_MAX_INPUT, SHARP_MAX_HIDDEN));  // L
    static constexpr unsigned chunk_bits = bits_for(max_of(SHARP_MAX_INPUT, SHARP_MAX_HIDDEN) / SHARP_K + 1);
    static constexpr unsigned beat_bits = bits_for(SHARP_MAX_INPUT / 4 + 1);       // x beats of a step
    static constexpr unsigned state_beat_bits = bits_for(SHARP_MAX_HIDDEN / 2);    // beats of a state tensor (c: H/2)
    static constexpr unsigned waddr_bits = bits_for(SHARP_WDEPTH);                 // word address
    static constexpr unsigned group_bits = bits_for(log2_exact(SHARP_N));
    static constexpr unsigned active_bits = bits_for(SHARP_N * SHARP_K);           // MACs of one word
    static constexpr unsigned seq_bits = bits_for(SHARP_MAX_BATCH - 1);            // b
    static constexpr unsigned batch_bits = bits_for(SHARP_MAX_BATCH);              // B, items in flight
    static constexpr unsigned item_bits = 32 + bits_for(SHARP_MAX_BATCH);          // T B items
};

// The schedule's latencies (docs/ARCHITECTURE.md §6), the one place the kernel takes them from.
// `mac` and `ew` are the contract's L_MAC and L_EW. The pipelines of sharp_run.h are
// `mac_stages` and `ew_stages` deep by construction (one register per stage, as in rtl/); a
// contract latency above that is met by a delay line of the difference (mac_pad, ew_pad), so a
// change of L_MAC or L_EW is a change here only.
template <class CONFIG_T>
struct latency {
    static constexpr unsigned mac = 4 + CONFIG_T::log2_macs;  // L_MAC
    static constexpr unsigned ew = 12;                        // L_EW
    static constexpr unsigned start = 1;                      // OV_START
    static constexpr unsigned end = 2;                        // OV_END
    // issue (weight/vector read) + broadcast + accumulate + log2 P tree levels + round/write
    static constexpr unsigned mac_stages = 4 + CONFIG_T::log2_macs;
    // row read + indices + 3 lookup stages + products + c (LSTM) / n's index (GRU) + 3 lookup
    // stages + product + h/write (lstm_cell.h, gru_cell.h)
    static constexpr unsigned ew_stages = 12;
    static constexpr unsigned mac_pad = mac - mac_stages;
    static constexpr unsigned ew_pad = ew - ew_stages;
};

static_assert(is_pow2(SHARP_N) && SHARP_N <= 64, "SHARP_N (tiles) must be a power of two in 1..64");
static_assert(is_pow2(SHARP_K) && SHARP_K >= 4 && SHARP_K <= 64,
              "SHARP_K (lanes per tile) must be a power of two in 4..64");
static_assert(SHARP_MAX_INPUT >= 4 && SHARP_MAX_INPUT <= 4096 && SHARP_MAX_INPUT % 4 == 0,
              "SHARP_MAX_INPUT must be a multiple of 4 in 4..4096");
static_assert(SHARP_MAX_HIDDEN >= 4 && SHARP_MAX_HIDDEN <= 4096 && SHARP_MAX_HIDDEN % 4 == 0,
              "SHARP_MAX_HIDDEN must be a multiple of 4 in 4..4096");
static_assert(SHARP_WDEPTH >= 1, "SHARP_WDEPTH must be >= 1");
static_assert(SHARP_WEIGHT_URAM_TILES >= 0 && SHARP_WEIGHT_URAM_TILES <= SHARP_N,
              "SHARP_WEIGHT_URAM_TILES must be in 0..SHARP_N (the tiles)");
static_assert(SHARP_BDEPTH >= SHARP_MAX_HIDDEN, "SHARP_BDEPTH must be >= SHARP_MAX_HIDDEN");
static_assert(SHARP_MAX_BATCH >= 1 && SHARP_MAX_BATCH <= 64, "SHARP_MAX_BATCH must be in 1..64");
static_assert(latency<build_config>::mac >= latency<build_config>::mac_stages &&
                  latency<build_config>::ew >= latency<build_config>::ew_stages,
              "a contract latency below the pipeline depth of sharp_run.h");

}  // namespace sharp

#endif
