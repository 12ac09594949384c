#include "replay_runner.h"

#include "component_map.h"
#include "error.h"
#include "execution.h"
#include "generator.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

namespace fs = std::filesystem;

namespace dlcov {

std::vector<std::string> find_artifacts(const std::string& root, const std::string& glob) {
    std::error_code ec;
    fs::path base = fs::weakly_canonical(root, ec);
    if (!fs::is_directory(base)) throw UserError("artifact folder " + root + " does not exist");
    std::vector<std::string> out;
    for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (!it->is_regular_file()) continue;
        std::string rel = it->path().lexically_relative(base).generic_string();
        if (!glob_match(glob, rel)) continue;
        fs::path real = fs::weakly_canonical(it->path(), ec);
        std::string real_rel = real.lexically_relative(base).generic_string();
        if (ec || real_rel.empty() || real_rel.rfind("..", 0) == 0) continue;  // escapes the root
        out.push_back(it->path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

TrialResult ReplayRunner::run_trial(const TrialContext& ctx) {
    const RunnerDefinition& d = spec_.definition;
    fs::create_directories(ctx.work_dir());
    fs::create_directories(ctx.profile_dir());
    Placeholders p = placeholders(ctx);
    std::string root = p.expand(d.artifacts_root, d.path + ": artifacts root");
    std::vector<std::string> artifacts = find_artifacts(root, d.artifacts_glob);
    ctx.log(fmt::format("{} artifact(s) matching {} under {}", artifacts.size(), d.artifacts_glob, root));

    EventLog events(ctx.events_path());
    Deadline deadline(spec_.budget_seconds);
    for (size_t i = 0; i < artifacts.size(); ++i) {
        if (deadline.expired()) {
            ctx.log(fmt::format("budget used up after {} of {} artifacts", i, artifacts.size()));
            break;
        }
        // Execution ids are indices, never artifact names: those are not trusted as paths.
        std::string id = fmt::format("replay-{:06}", i);
        Placeholders q = p;
        q.set("artifact", artifacts[i]);
        ExecutionSpec exec;
        exec.argv = q.expand(d.command, d.path + ": command");
        for (const auto& [k, v] : d.env) exec.env[k] = q.expand(v, d.path + ": env " + k);
        exec.env["LLVM_PROFILE_FILE"] = ctx.profile_dir() + "/" + id + "-%p-%m%c.profraw";
        exec.working_dir = ctx.work_dir();
        exec.timeout = std::chrono::milliseconds(long(d.timeout_seconds * 1000));
        ExecutionResult r = execute(exec);
        std::string artifact = fs::path(artifacts[i]).lexically_relative(fs::weakly_canonical(root)).generic_string();
        events.execution(id, artifact, "", r);
        if (r.outcome == ExecutionResult::Exited && r.exit_code == 0) continue;
        Finding f;
        f.kind = r.outcome == ExecutionResult::TimedOut ? "timeout" : r.outcome == ExecutionResult::Signaled ? "crash" : "failure";
        f.artifact = artifacts[i];
        f.detail = r.describe() + ": " + r.output.substr(0, r.output.find('\n'));
        std::string cmd;
        for (const auto& a : exec.argv) cmd += (cmd.empty() ? "" : " ") + a;
        f.replay = cmd;
        events.finding(f);
    }
    return read_trial_events(ctx.events_path());
}

}  // namespace dlcov
