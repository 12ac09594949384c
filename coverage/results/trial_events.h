// A trial's events.jsonl: one JSON line per execution and per finding, appended by whoever runs
// the trial's tests (a built-in generator through the kit's EventLog, or the replay runner) and
// followed by the campaign engine while they do. The line format, its one writer and its one
// reader:
//   {"event": "execution", "id": "seed-a.avx", "artifact": "work/a.json", "backend": "avx",
//    "result": "exit 0", "seconds": 0.5}
//   {"event": "finding", <the keys of a Finding (finding.h)>}
// A line cut short (a tester killed while writing) is skipped. An execution or finding is counted
// once by its identity (execution_identity, finding_identity): a line repeated (a tester that ran a
// test again after a resume, a deterministic tester rerun) is read once. Strings are bytes from outside
// (artifact names, output): written escaped when they are not UTF-8 (outside_text.h), and a line
// a tester wrote with such bytes in its strings is read with them escaped.
#pragma once
#include "finding.h"

#include <fstream>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace dlcov {

struct ExecutionEvent {
    std::string id, artifact, backend;
    std::string result;  // "exit 0", "signal 11 (Segmentation fault)", "timeout after 5 s"
    double seconds = 0;

    bool failed() const { return result != "exit 0"; }
};

// What makes two execution lines the same execution: the test (id, artifact) and the backend.
std::string execution_identity(const ExecutionEvent& e);
// What makes two findings the same: kind, artifact, input, backends and metric (not the value or
// detail, which a rerun of a nondeterministic test may change).
std::string finding_identity(const Finding& f);

struct TrialEvents {
    std::vector<ExecutionEvent> executions;
    std::vector<Finding> findings;
    size_t failed_executions = 0;  // of these executions, the ones not "exit 0"
};

// Appends event lines to the file (created when missing); safe to call from several threads.
class TrialEventsWriter {
public:
    explicit TrialEventsWriter(const std::string& path);
    void execution(const ExecutionEvent& event);
    void finding(const Finding& finding);

private:
    void write(const nlohmann::json& line);
    std::ofstream out_;
    std::mutex mutex_;
};

// Reads the file as it grows: each call returns only the complete lines written since the last
// one, so following a long trial costs nothing per old event; lines whose identity an earlier
// line of the file had are left out.
class TrialEventsReader {
public:
    explicit TrialEventsReader(std::string path) : path_(std::move(path)) {}
    // The events appended since the last call (a line still being written waits for the next).
    TrialEvents read_new();

private:
    std::string path_;
    long long offset_ = 0;
    std::unordered_set<std::string> seen_;  // identities read so far
};

// Every distinct execution and finding of the file so far; nothing when there is no file.
TrialEvents read_trial_events(const std::string& path);

}  // namespace dlcov
