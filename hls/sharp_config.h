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
// Where the weight banks live: 1 = UltraRAM, 0 = block RAM. A property of the board (the
// weight_ram column of overlay/boards.csv), not of the contract: 7-series parts have no URAM.
#ifndef SHARP_WEIGHT_URAM
#define SHARP_WEIGHT_URAM 0
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
constexpr bool is_pow2(unsigned v) { return v != 0 && (v & (v - 1)) == 0; }
constexpr unsigned round_up(unsigned v, unsigned m) { return (v + m - 1) / m * m; }
constexpr unsigned max_of(unsigned a, unsigned b) { return a > b ? a : b; }

// The build as a configuration struct, passed to every kernel template (hls4ml's style).
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
    // x_t and h_t slots in lines of P elements: the broadcast reads one line per cycle.
    static constexpr unsigned x_lines = (SHARP_MAX_INPUT + SHARP_N * SHARP_K - 1) / (SHARP_N * SHARP_K);
    static constexpr unsigned h_lines = (SHARP_MAX_HIDDEN + SHARP_N * SHARP_K - 1) / (SHARP_N * SHARP_K);
    // Row buffers (x projection, recurrent sums, biases by row 4j + gate) in NB banks: G <= N
    // rows written per cycle, 4 rows (one hidden unit) read per cycle.
    static constexpr unsigned row_banks = max_of(SHARP_N, 4);
    static constexpr unsigned log2_row_banks = log2_exact(max_of(SHARP_N, 4));
    static constexpr unsigned sum_lines = round_up(4 * SHARP_MAX_HIDDEN, max_of(SHARP_N, 4)) / max_of(SHARP_N, 4);
    static constexpr unsigned bias_lines = round_up(4 * SHARP_BDEPTH, max_of(SHARP_N, 4)) / max_of(SHARP_N, 4);
    // E, the hidden units the elementwise unit finishes per cycle (one per 8 tiles, at most the
    // four h of one out_stream beat, §2). Its
    // 4E rows lie in distinct row banks (4E <= NB); the cell state is in E banks, unit j in
    // bank j % E, so E consecutive units touch each bank once.
    static constexpr unsigned ew_lanes = max_of(1, SHARP_N / 8) < 4 ? max_of(1, SHARP_N / 8) : 4;
    static constexpr unsigned c_lines = round_up(SHARP_MAX_HIDDEN, ew_lanes) / ew_lanes;
};

static_assert(is_pow2(SHARP_N) && SHARP_N <= 64, "SHARP_N (tiles) must be a power of two in 1..64");
static_assert(is_pow2(SHARP_K) && SHARP_K >= 4 && SHARP_K <= 64,
              "SHARP_K (lanes per tile) must be a power of two in 4..64");
static_assert(SHARP_MAX_INPUT >= 4 && SHARP_MAX_INPUT <= 4096 && SHARP_MAX_INPUT % 4 == 0,
              "SHARP_MAX_INPUT must be a multiple of 4 in 4..4096");
static_assert(SHARP_MAX_HIDDEN >= 4 && SHARP_MAX_HIDDEN <= 4096 && SHARP_MAX_HIDDEN % 4 == 0,
              "SHARP_MAX_HIDDEN must be a multiple of 4 in 4..4096");
static_assert(SHARP_WDEPTH >= 1, "SHARP_WDEPTH must be >= 1");
static_assert(SHARP_WEIGHT_URAM == 0 || SHARP_WEIGHT_URAM == 1, "SHARP_WEIGHT_URAM must be 0 or 1");
static_assert(SHARP_BDEPTH >= SHARP_MAX_HIDDEN, "SHARP_BDEPTH must be >= SHARP_MAX_HIDDEN");

}  // namespace sharp

#endif
