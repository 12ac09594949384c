// Reads a trial's events.jsonl as the tester appends to it: each call returns only the complete
// lines written since the last one, so following a long trial costs nothing per old event.
#pragma once
#include "campaign_store.h"
#include "finding.h"

#include <string>
#include <vector>

namespace dlcov {

class TrialEvents {
public:
    explicit TrialEvents(std::string path) : path_(std::move(path)) {}

    struct Batch {
        std::vector<ExecutionRow> executions;
        std::vector<Finding> findings;
        size_t failed_executions = 0;  // of these executions, the ones not "exit 0"
    };
    // The events appended since the last call (a line still being written waits for the next).
    Batch read_new();

private:
    std::string path_;
    long long offset_ = 0;
};

}  // namespace dlcov
