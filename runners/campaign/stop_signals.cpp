#include "stop_signals.h"

#include <csignal>

namespace dlcov {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_stop_signal{0};
struct sigaction g_old_int {}, g_old_term {};

extern "C" void on_stop_signal(int signal) {
    g_stop_signal = signal;
    g_stop = true;
}

}  // namespace

StopSignals::StopSignals() {
    g_stop = false;
    g_stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

StopSignals::~StopSignals() {
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
}

const std::atomic<bool>& StopSignals::flag() const { return g_stop; }

void StopSignals::stop() { g_stop = true; }

int StopSignals::signal() const { return g_stop_signal.load(); }

}  // namespace dlcov
