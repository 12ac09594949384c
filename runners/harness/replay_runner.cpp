#include "replay_runner.h"

#include "component_map.h"
#include "error.h"
#include "generator.h"
#include "outside_text.h"
#include "process.h"
#include "trial_events.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fmt/format.h>
#include <map>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// "a/{b,c}/d" -> {"a/b/d", "a/c/d"}; nested and repeated braces expand too.
std::vector<std::string> expand_braces(const std::string& glob) {
    size_t open = glob.find('{');
    if (open == std::string::npos) return {glob};
    std::vector<std::string> alternatives;
    int depth = 0;
    size_t start = open + 1;
    for (size_t i = open + 1; i < glob.size(); ++i) {
        char c = glob[i];
        if (c == '{') {
            ++depth;
        } else if (c == '}' && depth > 0) {
            --depth;
        } else if (c == ',' && depth == 0) {
            alternatives.push_back(glob.substr(start, i - start));
            start = i + 1;
        } else if (c == '}') {
            alternatives.push_back(glob.substr(start, i - start));
            std::vector<std::string> out;
            for (const auto& a : alternatives)
                for (auto& g : expand_braces(glob.substr(0, open) + a + glob.substr(i + 1))) out.push_back(std::move(g));
            return out;
        }
    }
    throw UserError("artifacts glob \"" + glob + "\": '{' without its '}'");
}

// The last non-empty line: where Python puts the exception after its traceback.
std::string last_line(const std::string& text) {
    size_t end = text.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return "";
    size_t begin = text.rfind('\n', end);
    begin = begin == std::string::npos ? 0 : begin + 1;
    return text.substr(begin, end + 1 - begin);
}

// A command a person can paste into a shell: the runner's environment, then the arguments.
std::string replay_command(const ProcessSpec& exec) {
    std::string cmd;
    for (const auto& [key, value] : exec.env)
        if (key != "LLVM_PROFILE_FILE" && key != "GCOV_PREFIX" && key != "DLCOV_SANCOV_FILE" &&
            key != "DLCOV_PYTHON_COVERAGE_DIR" && !value.empty())
            cmd += key + "=" + command_line({value}) + " ";
    return cmd + command_line(exec.argv);
}

// The finding kind the runner file's `finding_kinds` option gives an exit code.
std::string kind_of_exit(const nlohmann::json& options, int exit_code) {
    auto kinds = options.find("finding_kinds");
    if (kinds != options.end() && kinds->is_object()) {
        auto kind = kinds->find(std::to_string(exit_code));
        if (kind != kinds->end() && kind->is_string()) return kind->get<std::string>();
    }
    return "failure";
}

// Execution id -> artifact of the executions an earlier run of this trial logged (a campaign
// that was interrupted resumes its trials).
std::map<std::string, std::string> executions_logged(const std::string& events_path) {
    std::map<std::string, std::string> out;
    for (const auto& e : read_trial_events(events_path).executions) out[e.id] = e.artifact;
    return out;
}

}  // namespace

std::vector<std::string> find_artifacts(const std::string& root, const std::string& glob) {
    std::vector<std::string> globs = expand_braces(glob);
    std::error_code ec;
    fs::path base = fs::weakly_canonical(root, ec);
    if (ec || !fs::is_directory(base)) throw UserError("artifact folder " + root + " does not exist");
    std::vector<std::string> out;
    auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code entry_ec;
        if (!it->is_regular_file(entry_ec)) continue;  // follows links; broken or looping ones are no files
        std::string rel = it->path().lexically_relative(base).generic_string();
        if (std::none_of(globs.begin(), globs.end(), [&](const std::string& g) { return glob_match(g, rel); })) continue;
        fs::path real_rel = fs::canonical(it->path(), entry_ec).lexically_relative(base);
        if (entry_ec || real_rel.empty() || *real_rel.begin() == "..") continue;  // escapes the root
        out.push_back(it->path().string());
    }
    if (ec) throw UserError("cannot list the artifact folder " + base.string() + ": " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

void ReplayRunner::run_trial(const TrialContext& ctx) {
    const RunnerDefinition& d = spec_.definition;
    Placeholders p = start_trial(ctx);
    std::string root;
    try {
        root = p.expand(d.artifacts_root, d.path + ": artifacts root");
    } catch (const UserError& e) {
        throw UserError(fmt::format("{}\n(runner {} replays a tool's saved output: give its folder in the campaign, "
                                    "e.g. `options: {{input: /path/to/output}}` under the runner)",
                                    e.what(), spec_.name));
    }
    std::vector<std::string> artifacts = find_artifacts(root, d.artifacts_glob);
    ctx.log(fmt::format("{} artifact(s) matching {} under {}", artifacts.size(), d.artifacts_glob, root));
    std::string canonical_root = fs::weakly_canonical(root).string();

    std::map<std::string, std::string> replayed_before = executions_logged(ctx.folder.events_path());
    if (!replayed_before.empty()) ctx.log(fmt::format("resuming after {} replayed artifact(s)", replayed_before.size()));
    EventLog events(ctx.folder.events_path());
    Deadline deadline(ctx.budget_seconds);
    std::map<std::string, size_t> outcomes;  // "exit 0", "signal 11 (...)", ... -> count
    for (size_t i = 0; i < artifacts.size(); ++i) {
        if (ctx.stopping()) break;
        if (deadline.expired()) {
            ctx.log(fmt::format("budget used up after {} of {} artifacts", i, artifacts.size()));
            break;
        }
        // Execution ids are indices, never artifact names: those are not trusted as paths.
        std::string id = fmt::format("replay-{:06}", i);
        std::string artifact = fs::path(artifacts[i]).lexically_relative(canonical_root).generic_string();
        auto before = replayed_before.find(id);
        // The events file has the name as text: escaped where it is not UTF-8.
        if (before != replayed_before.end() && before->second == escape_invalid_utf8(artifact)) continue;
        Placeholders q = p;
        q.set("artifact", artifacts[i]);
        ProcessSpec exec;
        exec.argv = q.expand(d.command, d.path + ": command");
        for (const auto& [k, v] : d.env) exec.env[k] = q.expand(v, d.path + ": env " + k);
        exec.env["LLVM_PROFILE_FILE"] = ctx.folder.profile_dir() + "/" + id + "-%p-%m%c.profraw";
        exec.env["GCOV_PREFIX"] = ctx.folder.profile_dir() + "/" + id + "-%p.gcda.d";  // gcov mode: a folder per process
        exec.env["DLCOV_SANCOV_FILE"] = ctx.folder.profile_dir() + "/" + id + "-%p.sancov";  // sancov builds
        exec.env["DLCOV_PYTHON_COVERAGE_DIR"] = ctx.folder.profile_dir();  // coverage.py's data files (the hook)
        exec.working_dir = ctx.work_dir();
        exec.timeout = std::chrono::milliseconds(long(d.timeout_seconds * 1000));
        ProcessResult r = run_process(exec);
        if (ctx.stopping()) break;  // killed by the interruption, not by the artifact: replayed on resume
        events.execution(id, artifact, "", r);
        std::string outcome = r.outcome == ProcessResult::TimedOut ? "timeout" : r.describe();
        ++outcomes[outcome];
        if (r.outcome == ProcessResult::Exited && r.exit_code == 0) continue;

        std::string replay = replay_command(exec);
        write_output_log(ctx.work_dir() + "/" + id + ".log", replay + "\n" + r.describe() + "\n", r);
        Finding f;
        f.kind = r.outcome == ProcessResult::TimedOut   ? "timeout"
                 : r.outcome == ProcessResult::Signaled ? "crash"
                                                          : kind_of_exit(spec_.options, r.exit_code);
        if (f.kind == "none") continue;
        f.artifact = artifacts[i];
        std::string said = last_line(r.output);
        f.detail = r.describe() + (said.empty() ? "" : ": " + utf8_prefix(said, 300));
        f.replay = replay;
        events.finding(f);
    }
    std::string summary;
    for (const auto& [outcome, count] : outcomes) summary += fmt::format("{}{} {}", summary.empty() ? "" : ", ", count, outcome);
    bool all_passed = outcomes.size() == 1 && outcomes.count("exit 0");
    if (!summary.empty())
        ctx.log("replays: " + summary + (all_passed ? "" : " (output of each that failed: " + ctx.work_dir() + "/replay-*.log)"));
}

}  // namespace dlcov
