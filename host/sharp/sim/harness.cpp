// Cycle-by-cycle driver of the Verilated sharp_top, exported as a C API for ctypes.
//
// Whole transactions (AXI-Lite accesses, stream transfers, waiting for ap_done) run here, so
// Python is never called per cycle. Every cycle: drive inputs, settle with the clock low,
// sample the handshakes, raise the clock, then advance the drivers' state.
#include <cstdint>
#include <memory>
#include <vector>

#include "Vsharp_top.h"
#include "verilated.h"

namespace {

// splitmix64: small, seedable, and identical on every platform.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // true with probability p (p in [0, 1])
    bool chance(double p) { return p > 0.0 && (next() >> 11) * (1.0 / 9007199254740992.0) < p; }
};

enum AxiState { AXI_IDLE, AXI_WRITE, AXI_READ };

// After ap_done, this many cycles without TVALID on out_stream mean no more beats will come.
constexpr uint64_t DRAIN_QUIET = 1000;

struct Sim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vsharp_top> top;
    uint64_t cycles = 0;
    Rng rng{1};
    double in_gap = 0.0, out_stall = 0.0;

    // in_stream source
    std::vector<uint64_t> send_data;
    std::vector<uint8_t> send_last;
    size_t sent = 0;
    bool in_valid = false;

    // out_stream sink: accepts beats while received < recv_limit
    std::vector<uint64_t> recv_data;
    std::vector<uint8_t> recv_last;
    uint64_t recv_limit = 0;
    uint64_t bad_keep = 0;  // beats whose TKEEP or TSTRB were not all ones
    bool out_ready = false;

    // AXI-Lite master: one transaction at a time
    AxiState axi = AXI_IDLE;
    bool aw_done = false, w_done = false, ar_done = false, resp_done = false;
    uint32_t axi_addr = 0, axi_wdata = 0, axi_strb = 0xF;
    uint32_t rdata = 0, resp = 0;

    Sim() : ctx(new VerilatedContext), top(new Vsharp_top(ctx.get(), "sharp_top")) {
        top->ap_clk = 0;
        top->ap_rst_n = 1;
        top->eval();
    }

    ~Sim() { top->final(); }

    void drive() {
        if (!in_valid && sent < send_data.size() && !rng.chance(in_gap)) in_valid = true;
        top->in_stream_TVALID = in_valid;
        if (in_valid) {
            top->in_stream_TDATA = send_data[sent];
            top->in_stream_TLAST = send_last[sent];
        }
        top->in_stream_TKEEP = 0xFF;
        top->in_stream_TSTRB = 0xFF;
        out_ready = recv_data.size() < recv_limit && !rng.chance(out_stall);
        top->out_stream_TREADY = out_ready;

        top->s_axi_control_AWVALID = axi == AXI_WRITE && !aw_done;
        top->s_axi_control_AWADDR = axi_addr;
        top->s_axi_control_WVALID = axi == AXI_WRITE && !w_done;
        top->s_axi_control_WDATA = axi_wdata;
        top->s_axi_control_WSTRB = axi_strb;
        top->s_axi_control_BREADY = axi == AXI_WRITE;
        top->s_axi_control_ARVALID = axi == AXI_READ && !ar_done;
        top->s_axi_control_ARADDR = axi_addr;
        top->s_axi_control_RREADY = axi == AXI_READ;
    }

    void tick() {
        drive();
        top->ap_clk = 0;
        top->eval();
        const bool in_fire = top->in_stream_TVALID && top->in_stream_TREADY;
        const bool out_fire = top->out_stream_TVALID && out_ready;
        const uint64_t out_data = top->out_stream_TDATA;
        const bool out_last = top->out_stream_TLAST;
        const bool out_keep_ok = top->out_stream_TKEEP == 0xFF && top->out_stream_TSTRB == 0xFF;
        const bool aw_fire = top->s_axi_control_AWVALID && top->s_axi_control_AWREADY;
        const bool w_fire = top->s_axi_control_WVALID && top->s_axi_control_WREADY;
        const bool b_fire = top->s_axi_control_BVALID && top->s_axi_control_BREADY;
        const bool ar_fire = top->s_axi_control_ARVALID && top->s_axi_control_ARREADY;
        const bool r_fire = top->s_axi_control_RVALID && top->s_axi_control_RREADY;
        const uint32_t r_data = top->s_axi_control_RDATA;
        const uint32_t r_resp = top->s_axi_control_RRESP;
        const uint32_t b_resp = top->s_axi_control_BRESP;
        top->ap_clk = 1;
        top->eval();
        ++cycles;

        if (in_fire) {
            ++sent;
            in_valid = false;
        }
        if (out_fire) {
            recv_data.push_back(out_data);
            recv_last.push_back(out_last);
            if (!out_keep_ok) ++bad_keep;
        }
        if (aw_fire) aw_done = true;
        if (w_fire) w_done = true;
        if (ar_fire) ar_done = true;
        if (b_fire) { resp = b_resp; resp_done = true; }
        if (r_fire) { rdata = r_data; resp = r_resp; resp_done = true; }
    }

    // Runs one AXI-Lite transaction to its response; false if it took more than `timeout` cycles.
    bool axi_transaction(uint64_t timeout) {
        aw_done = w_done = ar_done = resp_done = false;
        for (uint64_t i = 0; i < timeout && !resp_done; ++i) tick();
        const bool ok = resp_done;
        axi = AXI_IDLE;
        return ok;
    }
};

}  // namespace

extern "C" {

void* sim_create() { return new Sim(); }

void sim_destroy(void* h) { delete static_cast<Sim*>(h); }

void sim_set_traffic(void* h, double in_gap, double out_stall, uint64_t seed) {
    Sim* s = static_cast<Sim*>(h);
    s->in_gap = in_gap;
    s->out_stall = out_stall;
    s->rng.s = seed;
}

// Holds ap_rst_n low for `cycles` cycles and empties both stream queues.
void sim_reset(void* h, uint32_t cycles) {
    Sim* s = static_cast<Sim*>(h);
    s->send_data.clear();
    s->send_last.clear();
    s->sent = 0;
    s->in_valid = false;
    s->recv_data.clear();
    s->recv_last.clear();
    s->recv_limit = 0;
    s->bad_keep = 0;
    s->axi = AXI_IDLE;
    s->top->ap_rst_n = 0;
    for (uint32_t i = 0; i < cycles; ++i) s->tick();
    s->top->ap_rst_n = 1;
    s->tick();
}

// AXI-Lite write; returns BRESP, or -1 if no response within `timeout` cycles.
int sim_write(void* h, uint32_t addr, uint32_t data, uint32_t strb, uint64_t timeout) {
    Sim* s = static_cast<Sim*>(h);
    s->axi = AXI_WRITE;
    s->axi_addr = addr;
    s->axi_wdata = data;
    s->axi_strb = strb;
    return s->axi_transaction(timeout) ? int(s->resp) : -1;
}

// AXI-Lite read; returns RDATA | RRESP << 32, or -1 if no response within `timeout` cycles.
int64_t sim_read(void* h, uint32_t addr, uint64_t timeout) {
    Sim* s = static_cast<Sim*>(h);
    s->axi = AXI_READ;
    s->axi_addr = addr;
    if (!s->axi_transaction(timeout)) return -1;
    return int64_t(s->rdata) | (int64_t(s->resp) << 32);
}

// Replaces the in_stream queue with n beats (last[i] != 0 sets TLAST) and lets the sink
// accept recv_beats beats; the beats received so far are discarded.
void sim_stream(void* h, const uint64_t* data, const uint8_t* last, uint64_t n, uint64_t recv_beats) {
    Sim* s = static_cast<Sim*>(h);
    s->send_data.assign(data, data + n);
    s->send_last.assign(last, last + n);
    s->sent = 0;
    s->in_valid = false;
    s->recv_data.clear();
    s->recv_last.clear();
    s->recv_limit = recv_beats;
    s->bad_keep = 0;
}

uint64_t sim_sent(void* h) { return static_cast<Sim*>(h)->sent; }
uint64_t sim_received_count(void* h) { return static_cast<Sim*>(h)->recv_data.size(); }
uint64_t sim_bad_keep(void* h) { return static_cast<Sim*>(h)->bad_keep; }

// Copies the received beats and their TLAST flags (arrays of sim_received_count entries).
void sim_received(void* h, uint64_t* data, uint8_t* last) {
    Sim* s = static_cast<Sim*>(h);
    for (size_t i = 0; i < s->recv_data.size(); ++i) {
        data[i] = s->recv_data[i];
        last[i] = s->recv_last[i];
    }
}

void sim_run(void* h, uint64_t cycles) {
    Sim* s = static_cast<Sim*>(h);
    for (uint64_t i = 0; i < cycles; ++i) s->tick();
}

// Polls CTRL (as a host does) until a read shows ap_done, then lets the sink take the beats
// it still expects (as a host waits for its receive DMA) while the core offers any; returns the CTRL read that showed
// ap_done, or -1 (timeout) with the last CTRL value in *last_ctrl.
int64_t sim_wait_done(void* h, uint64_t max_cycles, uint32_t* last_ctrl) {
    Sim* s = static_cast<Sim*>(h);
    const uint64_t end = s->cycles + max_cycles;
    while (s->cycles < end) {
        const int64_t v = sim_read(h, 0x00, end - s->cycles);
        if (v < 0) break;
        *last_ctrl = uint32_t(v);
        if (v & 0x2) {
            // the core may still hold beats in its FIFO; stop once it offers none for a while
            uint64_t quiet = 0;
            while (s->recv_data.size() < s->recv_limit && s->cycles < end && quiet < DRAIN_QUIET) {
                s->tick();
                quiet = s->top->out_stream_TVALID ? 0 : quiet + 1;
            }
            return v & 0xFFFFFFFF;
        }
    }
    return -1;
}

int sim_interrupt(void* h) { return static_cast<Sim*>(h)->top->__SYM__interrupt; }

uint64_t sim_cycles(void* h) { return static_cast<Sim*>(h)->cycles; }

}  // extern "C"
