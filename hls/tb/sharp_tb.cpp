// C-simulation testbench for sharp_top (Vitis-HLS-Introductory-Examples style: returns 0 on
// success). It replays the operations of a vector file written by sharp.hls_csim from the
// golden model, checks each operation's expected out_stream beats and status, and writes
// every output beat and register to a result file that the Python side compares in full.
//
// usage: sharp_csim <vectors.txt> [<results.txt>]   ("-": stdin / stdout, one operation at a time)
//
// vectors.txt: "sharp-vectors 4", then per operation
//   op
//   args <17 argument registers, sharp.regmap.ARGUMENTS order (cell, state, batch last)>
//   send <n>         followed by n lines "<data hex> <tlast>"
//   expect <m> <s>   followed by m lines "<data hex>"; m = -1 / s = -1: not checked here
// results.txt: "sharp-results 2", then per operation
//   result <index>
//   regs <14 output registers, sharp.regmap.OUTPUTS order (max_batch last)>
//     or stuck <beats received> <beats expected>   (in_stream ended early: no ap_done)
//   leftover <in_stream beats the operation did not read>
//   recv <m>         followed by m lines "<data hex> <tlast> <tkeep hex> <tstrb hex>"
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../sharp_beats.h"
#include "../sharp_top.h"

namespace {

const int NUM_ARGS = 17;
const int NUM_OUTPUTS = 14;

struct operation {
    unsigned args[NUM_ARGS];
    std::vector<uint64_t> send;
    std::vector<int> send_last;
    long expect_count;
    long expect_status;
    std::vector<uint64_t> expect;
};

struct outcome {
    bool stuck;
    unsigned long long received, expected;  // beats, when stuck
    unsigned regs[NUM_OUTPUTS];
    unsigned long leftover;
    std::vector<uint64_t> data;
    std::vector<int> last, keep, strb;
};

bool read_operation(FILE* f, operation& op) {
    char word[16];
    if (std::fscanf(f, "%15s", word) != 1 || std::strcmp(word, "op") != 0) return false;
    if (std::fscanf(f, " args") != 0) return false;
    for (int i = 0; i < NUM_ARGS; i++)
        if (std::fscanf(f, "%u", &op.args[i]) != 1) return false;
    unsigned long n = 0;
    if (std::fscanf(f, " send %lu", &n) != 1) return false;
    op.send.resize(n);
    op.send_last.resize(n);
    for (unsigned long i = 0; i < n; i++)
        if (std::fscanf(f, "%" SCNx64 " %d", &op.send[i], &op.send_last[i]) != 2) return false;
    if (std::fscanf(f, " expect %ld %ld", &op.expect_count, &op.expect_status) != 2) return false;
    op.expect.resize(op.expect_count > 0 ? op.expect_count : 0);
    for (uint64_t& beat : op.expect)
        if (std::fscanf(f, "%" SCNx64, &beat) != 1) return false;
    return true;
}

outcome execute(const operation& op) {
    hls::stream<axis_beat> in_stream("in_stream"), out_stream("out_stream");
    for (size_t i = 0; i < op.send.size(); i++) {
        axis_beat beat;
        beat.data = op.send[i];
        beat.keep = 0xFF;
        beat.strb = 0xFF;
        beat.last = op.send_last[i] != 0;
        in_stream.write(beat);
    }
    ap_uint<32> regs[NUM_OUTPUTS];
    for (int i = 0; i < NUM_OUTPUTS; i++) regs[i] = 0;
    const unsigned* a = op.args;
    outcome r;
    r.stuck = false;
    r.received = r.expected = 0;
    try {
        sharp_top(in_stream, out_stream, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
                  a[10], a[11], a[12], a[13], &regs[0], &regs[1], &regs[2], &regs[3], &regs[4], &regs[5],
                  &regs[6], &regs[7], &regs[8], &regs[9], &regs[10], &regs[11], &regs[12], a[14], a[15], a[16],
                  &regs[13]);
    } catch (const sharp::stream_ended_early& e) {
        r.stuck = true;
        r.received = e.received;
        r.expected = e.expected;
    }
    for (int i = 0; i < NUM_OUTPUTS; i++) r.regs[i] = regs[i];
    r.leftover = 0;
    while (!in_stream.empty()) {
        in_stream.read();
        r.leftover++;
    }
    while (!out_stream.empty()) {
        const axis_beat beat = out_stream.read();
        r.data.push_back(beat.data.to_uint64());
        r.last.push_back(beat.last.to_uint());
        r.keep.push_back(beat.keep.to_uint());
        r.strb.push_back(beat.strb.to_uint());
    }
    return r;
}

// The checks this testbench can make alone; the Python side checks everything else.
int mismatches(size_t index, const operation& op, const outcome& r) {
    int errors = 0;
    if (r.stuck) {
        std::fprintf(stderr, "operation %zu: in_stream ended after %llu of %llu beats\n", index, r.received,
                     r.expected);
        return op.expect_status >= 0 || op.expect_count >= 0 ? 1 : 0;
    }
    const unsigned status = r.regs[8];
    if (op.expect_status >= 0 && status != (unsigned)op.expect_status) {
        std::fprintf(stderr, "operation %zu: status %u, expected %ld\n", index, status, op.expect_status);
        errors++;
    }
    if (op.expect_count < 0) return errors;
    if (r.data.size() != op.expect.size()) {
        std::fprintf(stderr, "operation %zu: %zu out_stream beats, expected %zu\n", index, r.data.size(),
                     op.expect.size());
        return errors + 1;
    }
    for (size_t i = 0; i < r.data.size(); i++) {
        const int want_last = i + 1 == r.data.size();
        if (r.data[i] != op.expect[i] || r.last[i] != want_last || r.keep[i] != 0xFF || r.strb[i] != 0xFF) {
            std::fprintf(stderr,
                         "operation %zu beat %zu: data %016" PRIx64 " last %d keep %x strb %x, expected "
                         "data %016" PRIx64 " last %d keep ff strb ff\n",
                         index, i, r.data[i], r.last[i], r.keep[i], r.strb[i], op.expect[i], want_last);
            errors++;
        }
    }
    return errors;
}

void write_outcome(FILE* f, size_t index, const outcome& r) {
    std::fprintf(f, "result %zu\n", index);
    if (r.stuck) {
        std::fprintf(f, "stuck %llu %llu", r.received, r.expected);
    } else {
        std::fprintf(f, "regs");
        for (int i = 0; i < NUM_OUTPUTS; i++) std::fprintf(f, " %u", r.regs[i]);
    }
    std::fprintf(f, "\nleftover %lu\nrecv %zu\n", r.leftover, r.data.size());
    for (size_t i = 0; i < r.data.size(); i++)
        std::fprintf(f, "%016" PRIx64 " %d %x %x\n", r.data[i], r.last[i], r.keep[i], r.strb[i]);
    std::fflush(f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: %s <vectors.txt> [<results.txt>]\n", argv[0]);
        return 2;
    }
    const bool piped_in = std::strcmp(argv[1], "-") == 0;
    const bool piped_out = argc == 3 && std::strcmp(argv[2], "-") == 0;
    FILE* in = piped_in ? stdin : std::fopen(argv[1], "r");
    if (!in) {
        std::fprintf(stderr, "cannot open the vector file %s\n", argv[1]);
        return 2;
    }
    int version = 0;
    if (std::fscanf(in, " sharp-vectors %d", &version) != 1 || version != 4) {
        std::fprintf(stderr, "%s is not a version-4 sharp vector file (17 argument registers)\n", argv[1]);
        return 2;
    }
    FILE* out = piped_out ? stdout : argc == 3 ? std::fopen(argv[2], "w") : nullptr;
    if (argc == 3 && !out) {
        std::fprintf(stderr, "cannot write the result file %s\n", argv[2]);
        return 2;
    }
    if (out) {
        std::fprintf(out, "sharp-results 2\n");
        std::fflush(out);
    }
    size_t count = 0;
    int errors = 0;
    operation op;
    while (read_operation(in, op)) {
        const outcome r = execute(op);
        errors += mismatches(count, op, r);
        if (out) write_outcome(out, count, r);
        count++;
    }
    const bool complete = std::feof(in) != 0;
    if (!piped_in) std::fclose(in);
    if (out && !piped_out) std::fclose(out);
    if (!complete) {
        std::fprintf(stderr, "%s: malformed operation %zu\n", argv[1], count);
        return 2;
    }
    std::fprintf(piped_out ? stderr : stdout, "sharp_tb: %zu operations, %d mismatches\n", count, errors);
    return errors == 0 ? 0 : 1;
}
