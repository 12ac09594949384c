// LEMON's choice of the next mutation operator: Metropolis-Hastings sampling over the operators
// ranked by score (LEMON's mcmc.py). An operator's score is the share of its mutants that raised
// the inconsistency of their parent. With the operators sorted by score, best first, and k_a the
// rank of the operator used last, a proposed operator at rank k_b is accepted with probability
// min(1, (1 - p)^(k_b - k_a)), p = 1 / number of operators: better-ranked operators are always
// accepted, worse ones less likely the further down they are. The first choice is uniform.
#pragma once
#include "random_source.h"

#include <optional>
#include <string>
#include <vector>

namespace dlcov::lemon {

class OperatorChain {
public:
    explicit OperatorChain(std::vector<std::string> operators);

    // The next operator, given the last one used (none for the first choice).
    std::string choose(const std::optional<std::string>& last, RandomSource& random) const;

    // One mutant of `op` was run: did it raise its parent's inconsistency?
    void record(const std::string& op, bool increased);

    double score(const std::string& op) const;
    // Operators best first (ties keep the configured order).
    std::vector<std::string> ranking() const;

private:
    struct Entry {
        std::string name;
        unsigned used = 0, increased = 0;
    };
    size_t find(const std::string& op) const;  // index into entries_; throws for an unknown op
    std::vector<Entry> entries_;
};

}  // namespace dlcov::lemon
