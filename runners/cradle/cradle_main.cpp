// dlcov-cradle: the CRADLE-style tester (Pham et al., ICSE 2019). Runs every seed model with its
// inputs on every backend, one process per (model, backend), and compares each backend pair
// against the ground truth with D_MAD and D_CLASS. No mutation: its coverage is the seeds'.
//
// Options (--options JSON, from the runner file or the campaign):
//   backends: ["internal", "avx"]   mad_threshold: 0.1   top_k: 5
#include "cradle/metrics.h"
#include "generator.h"

#include <fmt/format.h>
#include <iostream>

using namespace dlcov;

int main(int argc, char** argv) {
    GeneratorArgs args = parse_generator_args(argc, argv, "dlcov-cradle",
                                              "CRADLE-style differential testing of seed models across backends");
    auto backends = args.options.value("backends", std::vector<std::string>{"internal", "avx"});
    double threshold = args.options.value("mad_threshold", kDefaultMadThreshold);
    int top_k = args.options.value("top_k", kDefaultTopK);
    EventLog events(args.events_path);
    Deadline deadline(args.budget_seconds);

    for (const Seed& seed : read_seeds(args.seeds_dir)) {
        if (deadline.expired()) break;
        std::vector<std::optional<ModelOutput>> outputs;
        for (const auto& backend : backends)
            outputs.push_back(run_executor(args, events, seed.name + "." + backend, seed.model, seed.input, backend).output);

        for (size_t j = 0; j < backends.size(); ++j)
            for (size_t k = j + 1; k < backends.size(); ++k) {
                if (!outputs[j] || !outputs[k]) continue;
                InconsistencyVerdict v = compare_backends(outputs[j]->outputs, outputs[k]->outputs,
                                                          outputs[j]->labels, threshold, top_k);
                std::cout << fmt::format("{}: D_MAD {:.2e}, top-{} disagreements {} ({} vs {})\n", seed.name, v.d_mad,
                                         top_k, v.class_disagreements, backends[j], backends[k]);
                if (!v.inconsistent()) continue;
                std::string detail = v.mad_inconsistent
                                         ? fmt::format("D_MAD {:.4f} > {}", v.d_mad, threshold)
                                         : fmt::format("true class in the top {} of one backend only, for {} sample(s)",
                                                       top_k, v.class_disagreements);
                Finding f = inconsistency_finding(args, seed.model, seed.input, backends[j], backends[k],
                                                  v.mad_inconsistent ? "D_MAD" : "D_CLASS",
                                                  v.mad_inconsistent ? v.d_mad : v.class_disagreements, detail);
                events.finding(f);
            }
    }
    return 0;
}
