// What every built-in test generator (runners/<style>/) shares: its command line, its event log
// and running the instrumented executor once per generated test.
//
// The contract between the harness and a live generator (configs/runners/*.yaml, mode: live):
//   <generator> --executor PATH --seeds DIR --work DIR --profiles DIR --events FILE
//               --options FILE --budget SECONDS --seed N --timeout SECONDS
// - it writes only under --work (its generated tests, outputs, LEMON-like trees ...);
// - it runs every generated test in its own process (run_executor), each writing its own profile
//   into --profiles, with a per-execution timeout;
// - it appends one JSON line per execution and per finding to --events (EventLog), which the
//   harness reads for progress and results;
// - it stops by itself when --budget seconds are used or it has nothing left to try; the
//   harness kills it a little after the budget in any case.
#pragma once
#include "executor_protocol.h"
#include "finding.h"
#include "process.h"
#include "trial_events.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dlcov {

struct GeneratorArgs {
    std::string executor, seeds_dir, work_dir, profiles_dir, events_path;
    nlohmann::json options = nlohmann::json::object();  // from --options (a JSON file), may be empty
    double budget_seconds = 60;
    unsigned seed = 1;
    std::chrono::milliseconds timeout{60000};
};

// Parses the contract's arguments (with --help showing `description`). Exits 2 with a message
// on bad arguments.
GeneratorArgs parse_generator_args(int argc, char** argv, const std::string& program,
                                   const std::string& description);

// The seed models listed in <seeds_dir>/seeds.json (written by dlcov-tinydnn-seeds).
struct Seed {
    std::string name, model, input;  // absolute paths for model and input
    int classes = 0;
};
std::vector<Seed> read_seeds(const std::string& seeds_dir);

// The events file as a generator writes it (trial_events.h has the line format); safe to call
// from several threads.
class EventLog {
public:
    explicit EventLog(const std::string& path) : writer_(path) {}
    void execution(const std::string& id, const std::string& artifact, const std::string& backend,
                   const ProcessResult& result) {
        writer_.execution({id, artifact, backend, result.describe(), result.seconds});
    }
    void finding(const Finding& finding) { writer_.finding(finding); }

private:
    TrialEventsWriter writer_;
};

// Wall-clock budget of a generator.
class Deadline {
public:
    explicit Deadline(double seconds)
        : end_(std::chrono::steady_clock::now() + std::chrono::milliseconds(long(seconds * 1000))) {}
    bool expired() const { return std::chrono::steady_clock::now() >= end_; }

private:
    std::chrono::steady_clock::time_point end_;
};

// One model's outputs as the executor wrote them (runners/tinydnn/executor.cpp); NaN for null.
struct ModelOutput {
    std::vector<std::vector<double>> outputs;
    std::vector<int> labels;
};
std::optional<ModelOutput> read_model_output(const std::string& path);


struct ExecutorRun {
    ProcessResult result;
    std::string output_path;
    std::optional<ModelOutput> output;  // when the executor exited 0 or 3 and wrote readable output
    std::optional<Finding> finding;     // crash, timeout, nan or exception (not inconsistency)
};

// Runs the executor on (model, input, backend) with its own profile (<profiles>/<id>-...),
// writes its output to <work>/outputs/<id>.json, logs the execution and any finding.
// `extra` is appended to the executor's arguments (e.g. {"--train", "3"}).
ExecutorRun run_executor(const GeneratorArgs& args, EventLog& events, const std::string& id,
                         const std::string& model, const std::string& input, const std::string& backend,
                         const std::vector<std::string>& extra = {});

// What run_executor does, for any program with the executor's exit codes (the API driver too):
// runs `argv` (which writes its result to execution_output_path(args, id)) with its own profile,
// logs the execution against `artifact`, and records a crash, timeout, nan or exception finding
// whose replay command is `argv` writing to /tmp/replay-output.json. `input` may be "".
ExecutorRun run_instrumented(const GeneratorArgs& args, EventLog& events, const std::string& id,
                             const std::vector<std::string>& argv, const std::string& artifact,
                             const std::string& input, const std::string& backend);

// <work>/outputs/<id>.json, with its folder created.
std::string execution_output_path(const GeneratorArgs& args, const std::string& id);

// An inconsistency between two backends on (model, input), with the command that replays it.
Finding inconsistency_finding(const GeneratorArgs& args, const std::string& model, const std::string& input,
                              const std::string& backend_a, const std::string& backend_b, const std::string& metric,
                              double value, const std::string& detail);

// `path` relative to the generator's work folder's parent (the trial folder), for findings.
std::string trial_relative(const GeneratorArgs& args, const std::string& path);

}  // namespace dlcov
