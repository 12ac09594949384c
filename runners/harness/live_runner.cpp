#include "live_runner.h"

#include "process.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov {

void LiveRunner::run_trial(const TrialContext& ctx) {
    const RunnerDefinition& d = spec_.definition;
    Placeholders p = start_trial(ctx);
    ProcessSpec exec;
    exec.argv = p.expand(d.command, d.path + ": command");
    for (const auto& [k, v] : d.env) exec.env[k] = p.expand(v, d.path + ": env " + k);
    // Processes the tester starts without choosing their own profile still get one each.
    exec.env.emplace("LLVM_PROFILE_FILE", ctx.folder.profile_dir() + "/live-%p-%m%c.profraw");
    // gcc-instrumented ones (mode gcov) a folder of .gcda each: gcc expands %p in GCOV_PREFIX.
    exec.env.emplace("GCOV_PREFIX", ctx.folder.profile_dir() + "/live-%p.gcda.d");
    exec.env.emplace("DLCOV_SANCOV_FILE", ctx.folder.profile_dir() + "/live-%p.sancov");  // sancov builds
    // Python processes measured by dlcov's coverage.py hook write their data files there too.
    exec.env.emplace("DLCOV_PYTHON_COVERAGE_DIR", ctx.folder.profile_dir());
    // The tester runs under dlcov-contain (process.h), and so do its executions: C++ generators
    // find the supervisor next to them, Python ones (runners/pykit) through this variable.
    if (!contain_supervisor().empty()) exec.env.emplace("DLCOV_CONTAIN", contain_supervisor());
    exec.working_dir = ctx.work_dir();
    // The tester watches its own budget; the harness stops it a little later in any case (time
    // for its last execution, which has its own timeout, and for writing its results).
    double grace = std::max(5.0, ctx.budget_seconds * 0.1) + d.timeout_seconds;
    exec.timeout = std::chrono::milliseconds(long((ctx.budget_seconds + grace) * 1000));
    exec.output_cap = 1 << 20;
    exec.stop = ctx.trial_stop;
    ProcessResult r = run_process(exec);
    write_output_log(ctx.folder.tester_log_path(), "", r);
    if (ctx.trial_stop && ctx.trial_stop->load())
        ctx.log("tester stopped: the trial cannot go on (see " + ctx.folder.tester_log_path() + ")");
    else if (r.outcome != ProcessResult::Exited || r.exit_code != 0)
        ctx.log("tester ended with " + r.describe() + " (see " + ctx.folder.tester_log_path() + ")");
}

}  // namespace dlcov
