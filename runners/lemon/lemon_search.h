// LEMON's search (Wang et al., ESEC/FSE 2020) as a dlcov generator: start from the seed models,
// repeatedly pick a model by roulette (roulette.h) and an operator by MCMC (mcmc.h), mutate,
// run the mutant on every backend (one executor process each, own profile), and measure how far
// the backends disagree (summed D_MAD over backend pairs, runners/cradle/metrics.h). A mutant
// whose summed D_MAD is not below its parent's joins the pool (LEMON's rule); the operator's
// score counts the mutants that raised it. A pair above the threshold (0.4, LEMON's) is an
// inconsistency finding; crashes, timeouts, exceptions and NaN are findings too (run_executor).
// Stops at the budget, after max_mutants mutants, or when nothing more can be generated.
#pragma once
#include "generator.h"
#include "lemon_options.h"

namespace dlcov::lemon {

struct SearchSummary {
    size_t mutants = 0, kept = 0, crashes = 0, nans = 0, inconsistencies = 0, not_applicable = 0;
};

// Deterministic for a given args.seed (as far as the budget lets it run).
SearchSummary run_lemon_search(const GeneratorArgs& args, const LemonOptions& options);

}  // namespace dlcov::lemon
