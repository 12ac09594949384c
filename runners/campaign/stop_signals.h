// SIGINT and SIGTERM ask the campaign to stop instead of ending the harness: while a StopSignals
// lives, they set its flag, which the scheduler and every trial watch; the previous handlers come
// back afterwards. One StopSignals at a time (a signal handler can only reach globals).
#pragma once
#include <atomic>

namespace dlcov {

class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // Set by a signal, or by stop().
    const std::atomic<bool>& flag() const;
    bool stopping() const { return flag().load(); }
    // Stops the campaign as a signal would (a trial that cannot run is a configuration problem).
    void stop();
    // The signal that stopped the campaign; 0 when none did.
    int signal() const;
};

}  // namespace dlcov
