#include "cradle_runner.h"

#include "cradle/metrics.h"
#include "execution.h"
#include "tinydnn/seed_store.h"

#include <filesystem>
#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <optional>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// Executor exit codes (runners/tinydnn/executor.cpp).
constexpr int kExitUnusableInput = 2, kExitNaN = 3, kExitFrameworkException = 4;

struct BackendOutput {
    std::vector<std::vector<double>> outputs;
    std::vector<int> labels;
};

std::optional<BackendOutput> read_output(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    try {
        nlohmann::json j;
        in >> j;
        BackendOutput out;
        for (const auto& row : j.at("outputs")) {
            std::vector<double> values;
            for (const auto& v : row) values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
            out.outputs.push_back(std::move(values));
        }
        out.labels = j.at("labels").get<std::vector<int>>();
        return out;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

std::string relative(const std::string& path, const std::string& base) {
    return fs::path(path).lexically_relative(base).generic_string();
}

// CRADLE's class-based score of one backend on one sample: k - rank + 1 when the true class is
// in the top k, else 0. D_CLASS is the difference of two backends' scores.
int class_score(const std::vector<double>& probs, int label, int k) {
    int rank = d_class_rank(probs, label);
    return rank <= k ? k - rank + 1 : 0;
}

}  // namespace

CradleRunner::CradleRunner(RunnerSpec spec) : spec_(std::move(spec)) {
    backends_ = spec_.options.value("backends", std::vector<std::string>{"internal", "avx"});
    mad_threshold_ = spec_.options.value("mad_threshold", 0.1);
    class_threshold_ = spec_.options.value("class_threshold", 1.0);
    top_k_ = spec_.options.value("top_k", 5);
}

TrialResult CradleRunner::run_trial(const TrialContext& ctx) {
    TrialResult result;
    std::vector<StoredSeed> seeds = ensure_seeds(ctx.campaign_dir);
    const std::string executor = ctx.build.targets.at("dlcov-tinydnn-exec");
    fs::create_directories(fs::path(ctx.trial_dir) / "outputs");
    std::ofstream log(fs::path(ctx.trial_dir) / "executions.jsonl", std::ios::app);

    for (const StoredSeed& seed : seeds) {
        std::map<std::string, BackendOutput> outputs;
        for (const std::string& backend : backends_) {
            std::string id = seed.name + "." + backend;
            std::string out_path = ctx.trial_dir + "/outputs/" + id + ".json";
            ExecutionSpec spec;
            spec.argv = {executor, "--model", seed.model, "--input", seed.input, "--output", out_path, "--backend", backend};
            spec.env["LLVM_PROFILE_FILE"] = profile_pattern(ctx.profile_dir, id);
            spec.timeout = spec_.execution_timeout;
            ExecutionResult r = execute(spec);
            ++result.executions;
            log << nlohmann::json{{"id", id}, {"argv", spec.argv}, {"result", r.describe()},
                                  {"seconds", r.seconds}, {"output", r.output}}.dump()
                << "\n";
            log.flush();

            Finding f;
            f.artifact = relative(seed.model, ctx.campaign_dir);
            f.input = relative(seed.input, ctx.campaign_dir);
            f.backends = backend;
            f.replay = fmt::format("{} --model {} --input {} --output /tmp/{}.json --backend {}", executor, seed.model,
                                   seed.input, id, backend);
            std::string first_line = r.output.substr(0, r.output.find('\n'));
            if (r.outcome == ExecutionResult::Exited && r.exit_code == 0) {
                if (auto o = read_output(out_path)) outputs[backend] = std::move(*o);
                continue;
            }
            if (r.outcome == ExecutionResult::Exited && r.exit_code == kExitNaN) {
                f.kind = "nan";
                f.detail = "NaN or Inf in the output";
            } else if (r.outcome == ExecutionResult::Exited && r.exit_code == kExitFrameworkException) {
                f.kind = "exception";
                f.detail = "tiny-dnn threw: " + first_line;
            } else if (r.outcome == ExecutionResult::Exited && r.exit_code == kExitUnusableInput) {
                ++result.failed_executions;  // our seed, not the framework, is at fault
                ctx.log(fmt::format("{}: executor rejected the input: {}", id, first_line));
                continue;
            } else {
                ++result.failed_executions;
                f.kind = r.outcome == ExecutionResult::TimedOut ? "timeout" : "crash";
                f.detail = r.describe() + (first_line.empty() ? "" : ": " + first_line);
            }
            result.findings.push_back(f);
        }

        // Every backend pair that both produced outputs.
        for (size_t j = 0; j < backends_.size(); ++j)
            for (size_t k = j + 1; k < backends_.size(); ++k) {
                auto a = outputs.find(backends_[j]), b = outputs.find(backends_[k]);
                if (a == outputs.end() || b == outputs.end()) continue;
                double mad = d_mad(cradle_delta(a->second.outputs, a->second.labels),
                                   cradle_delta(b->second.outputs, b->second.labels));
                double class_diff = 0;
                for (size_t s = 0; s < a->second.outputs.size() && s < b->second.outputs.size(); ++s)
                    class_diff += std::abs(class_score(a->second.outputs[s], a->second.labels[s], top_k_) -
                                           class_score(b->second.outputs[s], b->second.labels[s], top_k_));
                class_diff /= double(std::max<size_t>(1, a->second.outputs.size()));
                Finding f;
                f.kind = "inconsistency";
                f.artifact = relative(seed.model, ctx.campaign_dir);
                f.input = relative(seed.input, ctx.campaign_dir);
                f.backends = backends_[j] + "-vs-" + backends_[k];
                f.replay = fmt::format("{} --model {} --input {} --output /tmp/out.json --backend {{{},{}}}", executor,
                                       seed.model, seed.input, backends_[j], backends_[k]);
                if (mad > mad_threshold_) {
                    f.metric = "D_MAD";
                    f.value = mad;
                    f.detail = fmt::format("D_MAD {:.4f} > {}", mad, mad_threshold_);
                    result.findings.push_back(f);
                } else if (class_diff > class_threshold_) {
                    f.metric = "D_CLASS";
                    f.value = class_diff;
                    f.detail = fmt::format("mean D_CLASS {:.3f} > {}", class_diff, class_threshold_);
                    result.findings.push_back(f);
                }
                ctx.log(fmt::format("{}: D_MAD {:.2e} D_CLASS {:.2f} ({} vs {})", seed.name, mad, class_diff,
                                    backends_[j], backends_[k]));
            }
    }
    return result;
}

}  // namespace dlcov
