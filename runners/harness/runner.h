// Runner plugins. A tester is described by a file in configs/runners/ (runner_definition.h) and
// run by one of two implementations behind the Runner interface:
//   live   — the tester itself runs against the instrumented build for the trial's budget; every
//            process it spawns writes its own profile (live_runner.h);
//   replay — artifacts a tester saved are executed one process each against the build
//            (replay_runner.h).
// Adding a tester is adding a runner file (and, for a built-in generator, its folder under
// runners/); the harness is not edited.
#pragma once
#include "build_manifest.h"
#include "campaign_folder.h"
#include "process.h"
#include "runner_definition.h"

#include <atomic>
#include <functional>
#include <memory>
#include <iosfwd>
#include <string>
#include <vector>

namespace dlcov {

// One runner as a campaign uses it: its definition plus the campaign's settings.
struct RunnerSpec {
    RunnerDefinition definition;
    std::string name;  // the report row (the definition's name unless the campaign renames it)
    int trials = 1;
    double budget_seconds = 60;  // per trial
    nlohmann::json options = nlohmann::json::object();  // definition's options, campaign's on top
};

// One trial as a runner runs it, in its folder <campaign>/<runner>/trial-<n>/ (campaign_folder.h).
struct TrialContext {
    const BuildManifest& build;
    std::string campaign_dir;
    TrialFolder folder;
    int trial = 1;
    int run = 1;  // 1, then 2, 3 ... each time the campaign resumes the trial
    unsigned random_seed = 0;  // this run's (trial_seed)
    std::function<void(const std::string&)> log;  // progress lines for the user
    double budget_seconds = 0;  // this run of the trial (less than the runner's when a campaign resumes it)
    const std::atomic<bool>* stop = nullptr;  // set when the campaign is being interrupted
    // Set when this trial cannot go on (its harness side failed: a full disk ...); a runner stops
    // its tester then (ProcessSpec::stop).
    const std::atomic<bool>* trial_stop = nullptr;

    bool stopping() const { return (stop && stop->load()) || (trial_stop && trial_stop->load()); }
    // Where this run's tester writes ({work}): a resumption has a folder of its own.
    std::string work_dir() const { return folder.work_dir(run); }
};

// The seed of one run of a trial: `campaign_seed + trial - 1` for its first run (trials are
// reproducible from the campaign's seed), and a different stream for each resumption, so a
// resumed tester goes on to new tests instead of generating the same ones again.
unsigned trial_seed(unsigned campaign_seed, int trial, int run);

// Writes `header` and a child's captured output (saying how much was dropped) to `path`.
void write_output_log(const std::string& path, const std::string& header, const ProcessResult& result);

class Runner {
public:
    virtual ~Runner() = default;
    // Runs once per campaign before any trial (e.g. generating seed models).
    // Says on `out` when it runs the setup (it may take minutes: generating a tool's artifacts).
    virtual void setup(const BuildManifest& build, const std::string& campaign_dir, std::ostream& out);
    // Runs the trial; what it did is in the trial's events file (trial_events.h).
    virtual void run_trial(const TrialContext& context) = 0;

protected:
    explicit Runner(RunnerSpec spec) : spec_(std::move(spec)) {}
    // Creates the trial's work and profile folders, writes its options.json (the {options}
    // file) and returns the placeholders every command may use, for this trial.
    Placeholders start_trial(const TrialContext& context) const;
    RunnerSpec spec_;
};

std::unique_ptr<Runner> make_runner(const RunnerSpec& spec);

}  // namespace dlcov
