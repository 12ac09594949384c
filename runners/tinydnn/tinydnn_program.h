// What the two instrumented tiny-dnn programs (executor.cpp and api_driver.cpp) share: their exit
// codes (executor_protocol.h), how they choose a layer's
// backend, and how they write their outputs. Header-only: `dlcov instrument` compiles each
// program as one translation unit (and hashes the headers beside it).
#pragma once
#include <atomic>
#include <cmath>
#include <csignal>
#include <pthread.h>
#include <unistd.h>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "executor_protocol.h"
#include "tiny_dnn/tiny_dnn.h"

namespace tinydnn_program {


// Our own verdict on the arguments or files, as opposed to what tiny-dnn throws.
struct Unusable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Layers tiny-dnn 1.0.0a3 has AVX kernels for.
inline bool has_avx_path(const tiny_dnn::layer& l) {
    const std::string type = l.layer_type();
    return type == "conv" || type == "fully-connected" || type == "max-pool";
}

// Puts every layer with an AVX kernel on the AVX backend when `avx`, the rest on the internal
// one; returns [{"type", "backend"}] per layer.
template <typename Net>
nlohmann::json set_backends(Net& net, bool avx) {
    nlohmann::json layers = nlohmann::json::array();
    for (tiny_dnn::layer* l : net) {
        const bool use_avx = avx && has_avx_path(*l);
        l->set_backend_type(use_avx ? tiny_dnn::core::backend_t::avx : tiny_dnn::core::backend_t::internal);
        layers.push_back({{"type", l->layer_type()}, {"backend", use_avx ? "avx" : "internal"}});
    }
    return layers;
}

// Outputs as JSON rows (nlohmann writes NaN and Inf as null); `finite` says whether all were.
inline nlohmann::json outputs_json(const std::vector<tiny_dnn::vec_t>& outputs, bool& finite) {
    finite = true;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& o : outputs) {
        nlohmann::json row = nlohmann::json::array();
        for (tiny_dnn::float_t v : o) {
            finite = finite && std::isfinite(v);
            row.push_back(static_cast<double>(v));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

// Writes `doc` as one line to `path`.
inline void write_result(const std::string& path, const nlohmann::json& doc) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << doc.dump() << '\n';
    out.flush();
    if (!out) throw Unusable("cannot write " + path);
}

#ifdef DLCOV_COVERAGE_GCOV
// gcc's coverage runtime (libgcov) writes a process's .gcda at exit; a process ended by a signal
// writes nothing. __gcov_dump writes it now. `dlcov instrument` defines DLCOV_COVERAGE_GCOV in mode
// gcov only (a clang build links no libgcov; its continuous mode keeps a killed process's counters).
extern "C" void __gcov_dump(void);

// The first signal writes the counters, then ends the process by that signal's default action.
// Any later one waits for that: tiny-dnn's kernels run on several threads, and when all of them
// fail the same assertion, a second SIGABRT during the dump would end the process with its .gcda
// half written (libgcov writes through stdio, so the file is cut between records).
inline std::atomic<bool> coverage_dumping{false};

extern "C" inline void dump_coverage_and_die(int sig) {
    if (coverage_dumping.exchange(true))
        for (;;) pause();  // another thread is dumping; it ends the process
    __gcov_dump();
    signal(sig, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, sig);
    pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
    raise(sig);
}
#endif

// Mode gcov: a crash (SIGSEGV, SIGABRT from an uncaught exception or a failed assertion ...),
// dlcov's timeout (SIGTERM) or Ctrl-C keeps the coverage the process had so far. Not
// async-signal-safe: a crash inside malloc can hang the dump, and the timeout's SIGKILL then ends
// it with nothing written.
inline void dump_coverage_on_signals() {
#ifdef DLCOV_COVERAGE_GCOV
    struct sigaction action {};
    action.sa_handler = dump_coverage_and_die;
    sigfillset(&action.sa_mask);  // nothing else interrupts the dump on this thread
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) sigaction(sig, &action, nullptr);
#endif
}

}  // namespace tinydnn_program
