#include "lemon_search.h"

#include "cradle/metrics.h"
#include "lemon_tree.h"
#include "mcmc.h"
#include "roulette.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <map>

namespace fs = std::filesystem;

namespace dlcov::lemon {
namespace {

// One model run on every backend.
struct Evaluation {
    Outcome outcome = Outcome::Kept;  // Kept here means "ran cleanly on every backend"
    double d_mad = 0;                 // summed over backend pairs
    struct Pair {
        size_t j, k;  // indices into the backends
        double d_mad;
    };
    std::vector<Pair> pairs;
    std::string detail;
};

// The worst outcome of a model's runs wins: crash, then NaN, then unusable.
int severity(Outcome o) {
    return o == Outcome::Crash ? 3 : o == Outcome::NaN ? 2 : o == Outcome::Unusable ? 1 : 0;
}

void worsen(Evaluation& e, Outcome outcome, const std::string& detail) {
    if (severity(outcome) > severity(e.outcome)) e.outcome = outcome;
    e.detail += (e.detail.empty() ? "" : "; ") + detail;
}

class Search {
public:
    Search(const GeneratorArgs& args, const LemonOptions& options)
        : args_(args), options_(options), events_(args.events_path), deadline_(args.budget_seconds),
          tree_(args.work_dir), random_(args.seed), chain_(options.operators), roulette_(options.epsilon) {}

    SearchSummary run() {
        for (const Seed& seed : read_seeds(args_.seeds_dir)) {
            if (deadline_.expired()) return summary_;
            if (!options_.seeds.empty() && std::find(options_.seeds.begin(), options_.seeds.end(), seed.name) == options_.seeds.end())
                continue;
            add_origin(seed);
        }
        std::optional<std::string> last_op;
        // Attempts that produce nothing (operators that do not apply) still end the search.
        size_t attempts = 0, max_attempts = 20 * options_.max_mutants + 100;
        while (!deadline_.expired() && summary_.mutants < options_.max_mutants && attempts++ < max_attempts &&
               !roulette_.empty()) {
            PoolModel parent = roulette_.choose(random_);
            std::string op = chain_.choose(last_op, random_);
            if (mutate(parent, op)) last_op = op;
        }
        return summary_;
    }

private:
    void add_origin(const Seed& seed) {
        std::string name = safe_name(seed.name) + "_origin0";
        std::string path = tree_.model_path(name);
        fs::copy_file(seed.model, path, fs::copy_options::overwrite_existing);
        inputs_[name] = seed.input;
        Evaluation e = evaluate(name, path, seed.input);
        if (e.outcome != Outcome::Kept) {
            tree_.history(name, "-", "origin", e.outcome, -1, "the seed model itself fails: " + e.detail);
            return;
        }
        report_inconsistencies(name, path, seed.input, e, "seed model");
        roulette_.add({name, path, name, e.d_mad, 0});
        tree_.history(name, "-", "origin", Outcome::Origin, e.d_mad, "seed " + seed.name);
    }

    // One mutation step; false when the operator did not apply.
    bool mutate(const PoolModel& parent, const std::string& op) {
        Mutation m;
        try {
            m = apply_operator(op, TinyModel::load(parent.path), random_, options_.mutation);
        } catch (const std::exception& e) {
            m = not_applicable(std::string("error: ") + e.what());
        }
        if (!m.applied()) {
            ++summary_.not_applicable;
            tree_.history("-", parent.name, op, Outcome::NotApplicable, -1, m.description);
            return false;
        }
        ++summary_.mutants;
        std::string name = mutant_name(parent.name, op, summary_.mutants);
        std::string path = tree_.model_path(name);
        m.model->save(path);
        const std::string& input = inputs_.at(parent.origin);

        Evaluation e = evaluate(name, path, input);
        bool increased = false;
        if (e.outcome == Outcome::Kept) {
            report_inconsistencies(name, path, input, e, fmt::format("{} of {}: {}", op, parent.name, m.description));
            increased = e.d_mad > parent.d_mad;
            if (e.d_mad >= parent.d_mad) {  // LEMON keeps a mutant whose inconsistency did not drop
                roulette_.add({name, path, parent.origin, e.d_mad, 0});
                ++summary_.kept;
            } else {
                e.outcome = Outcome::Rejected;
            }
        } else if (e.outcome == Outcome::Crash || e.outcome == Outcome::NaN) {
            tree_.file_under(e.outcome, name);
            ++(e.outcome == Outcome::Crash ? summary_.crashes : summary_.nans);
        }
        chain_.record(op, increased);
        tree_.history(name, parent.name, op, e.outcome, e.outcome == Outcome::Kept || e.outcome == Outcome::Rejected ? e.d_mad : -1,
                      m.description + (e.detail.empty() ? "" : "; " + e.detail));
        std::cout << fmt::format("{}: {} (D_MAD {:.3g}, parent {:.3g})\n", name, outcome_name(e.outcome), e.d_mad,
                                 parent.d_mad);
        return true;
    }

    Evaluation evaluate(const std::string& name, const std::string& path, const std::string& input) {
        Evaluation e;
        std::vector<std::optional<ModelOutput>> outputs;
        for (const auto& backend : options_.backends) {
            ExecutorRun run = run_executor(args_, events_, name + "." + backend, path, input, backend);
            const ProcessResult& r = run.result;
            // run_executor classified the run: nan, or crash, timeout and tiny-dnn throwing (LEMON's crash/).
            if (run.finding)
                worsen(e, run.finding->kind == "nan" ? Outcome::NaN : Outcome::Crash, backend + ": " + run.finding->detail);
            else if (r.outcome == ProcessResult::Exited && r.exit_code == kExecutorUnusable)
                worsen(e, Outcome::Unusable, backend + ": the executor could not use the model: " +
                                                 r.output.substr(0, r.output.find('\n')));
            else if (!run.output)
                worsen(e, Outcome::Unusable, backend + ": unreadable executor output");
            outputs.push_back(run.output);
        }
        if (e.outcome != Outcome::Kept) return e;
        for (size_t j = 0; j < outputs.size(); ++j)
            for (size_t k = j + 1; k < outputs.size(); ++k) {
                double d = 0;
                try {
                    d = compare_backends(outputs[j]->outputs, outputs[k]->outputs, outputs[j]->labels,
                                         options_.threshold).d_mad;
                } catch (const std::exception& error) {
                    e.outcome = Outcome::Unusable;
                    e.detail = std::string("cannot compare the backends' outputs: ") + error.what();
                    return e;
                }
                if (!std::isfinite(d)) {
                    e.outcome = Outcome::NaN;
                    e.detail = "D_MAD is not a number";
                    return e;
                }
                e.pairs.push_back({j, k, d});
                e.d_mad += d;
            }
        return e;
    }

    void report_inconsistencies(const std::string& name, const std::string& path, const std::string& input,
                                const Evaluation& e, const std::string& what) {
        for (const auto& [j, k, d] : e.pairs) {
            if (d <= options_.threshold) continue;
            ++summary_.inconsistencies;
            Finding f = inconsistency_finding(args_, path, input, options_.backends[j], options_.backends[k], "D_MAD", d,
                                              fmt::format("D_MAD {:.4f} > {} for {} ({})", d, options_.threshold, name, what));
            events_.finding(f);
        }
    }

    const GeneratorArgs& args_;
    const LemonOptions& options_;
    EventLog events_;
    Deadline deadline_;
    LemonTree tree_;
    RandomSource random_;
    OperatorChain chain_;
    Roulette roulette_;
    std::map<std::string, std::string> inputs_;  // origin model name -> its seed's input
    SearchSummary summary_;
};

}  // namespace

SearchSummary run_lemon_search(const GeneratorArgs& args, const LemonOptions& options) {
    return Search(args, options).run();
}

}  // namespace dlcov::lemon
