#include "stop_signals.h"

#include <csignal>

namespace dlcov {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_stop_signal{0};
struct sigaction g_old_int {}, g_old_term {}, g_old_hup {}, g_old_pipe {};

extern "C" void on_stop_signal(int signal) {
    g_stop_signal = signal;
    g_stop = true;
}

// A closed terminal or a reader of our output that went away: writes fail (EPIPE) instead of
// ending the harness. A handler rather than SIG_IGN, which children would inherit.
extern "C" void on_broken_pipe(int) {}

}  // namespace

StopSignals::StopSignals() {
    g_stop = false;
    g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
    sigaction(SIGHUP, &sa, &g_old_hup);  // the terminal was closed
    struct sigaction pipe {};
    pipe.sa_handler = on_broken_pipe;
    sigemptyset(&pipe.sa_mask);
    sigaction(SIGPIPE, &pipe, &g_old_pipe);
}

StopSignals::~StopSignals() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
    sigaction(SIGHUP, &g_old_hup, nullptr);
    sigaction(SIGPIPE, &g_old_pipe, nullptr);
}

const std::atomic<bool>& StopSignals::flag() const { return g_stop; }

void StopSignals::stop() { g_stop = true; }

int StopSignals::signal() const { return g_stop_signal.load(); }

}  // namespace dlcov
