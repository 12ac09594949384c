// Where a campaign stands. On a terminal: one line per runner, rewritten in place
//   cradle   trials 1 done, 2 running of 4  |  45/120 s  |  130 executions  |  lines 23.4%  |  2 findings
// (elapsed of the furthest trial against the budget, line coverage of the best trial).
// Without a terminal (CI logs, files): one plain line per snapshot and per trial event.
#pragma once
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace dlcov {

struct RunnerProgress {
    std::string name;
    double budget_seconds = 0;
    int trials = 0, done = 0, running = 0;
    double elapsed = 0;          // furthest trial of this run
    uint64_t executions = 0;     // all trials
    double lines_percent = 0;    // best trial's latest snapshot
    uint64_t findings = 0;       // all trials
};

class ProgressDisplay {
public:
    ProgressDisplay(std::ostream& out, bool live) : out_(out), live_(live) {}
    bool live() const { return live_; }
    // A line that stays (trial started/finished, warnings): printed above the live lines.
    void message(const std::string& line);
    // A snapshot line: printed only without a terminal.
    void snapshot(const std::string& line);
    // Redraws the live lines (a no-op without a terminal).
    void update(const std::vector<RunnerProgress>& runners);
    // Leaves the last live lines on screen.
    void close();

private:
    void erase_live_lines();
    std::ostream& out_;
    bool live_;
    std::mutex mutex_;
    std::vector<std::string> lines_;  // the live lines currently on screen
};

std::string progress_line(const RunnerProgress& p);

}  // namespace dlcov
