#include "progress_display.h"

#include <fmt/format.h>

namespace dlcov {

std::string progress_line(const RunnerProgress& p) {
    return fmt::format("{:<12} trials {} done, {} running of {} | {:>5.0f}/{:.0f} s | {} executions | lines {:.1f}% | {} findings",
                       p.name, p.done, p.running, p.trials, p.elapsed, p.budget_seconds, p.executions, p.lines_percent,
                       p.findings);
}

void ProgressDisplay::erase_live_lines() {
    // Cursor up one line and clear it, once per live line.
    for (size_t i = 0; i < lines_.size(); ++i) out_ << "\x1b[1A\x1b[2K";
    out_ << "\r";
}

void ProgressDisplay::message(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!live_) {
        out_ << line << "\n" << std::flush;
        return;
    }
    erase_live_lines();
    out_ << line << "\n";
    for (const auto& l : lines_) out_ << l << "\n";
    out_ << std::flush;
}

void ProgressDisplay::snapshot(const std::string& line) {
    if (live_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    out_ << line << "\n" << std::flush;
}

void ProgressDisplay::update(const std::vector<RunnerProgress>& runners) {
    if (!live_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    erase_live_lines();
    lines_.clear();
    for (const auto& r : runners) lines_.push_back(progress_line(r));
    for (const auto& l : lines_) out_ << l << "\n";
    out_ << std::flush;
}

void ProgressDisplay::close() {
    std::lock_guard<std::mutex> lock(mutex_);
    lines_.clear();
}

}  // namespace dlcov
