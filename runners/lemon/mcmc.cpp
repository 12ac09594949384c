#include "mcmc.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dlcov::lemon {

OperatorChain::OperatorChain(std::vector<std::string> operators) {
    if (operators.empty()) throw std::invalid_argument("no mutation operators to choose from");
    for (auto& name : operators) entries_.push_back({std::move(name)});
}

size_t OperatorChain::find(const std::string& op) const {
    for (size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].name == op) return i;
    throw std::invalid_argument("operator " + op + " is not in the chain");
}

void OperatorChain::record(const std::string& op, bool increased) {
    Entry& e = entries_[find(op)];
    ++e.used;
    e.increased += increased ? 1 : 0;
}

double OperatorChain::score(const std::string& op) const {
    const Entry& e = entries_[find(op)];
    return e.used ? double(e.increased) / double(e.used) : 0.0;
}

std::vector<std::string> OperatorChain::ranking() const {
    std::vector<Entry> sorted = entries_;
    std::stable_sort(sorted.begin(), sorted.end(), [this](const Entry& a, const Entry& b) {
        return score(a.name) > score(b.name);
    });
    std::vector<std::string> names;
    for (const auto& e : sorted) names.push_back(e.name);
    return names;
}

std::string OperatorChain::choose(const std::optional<std::string>& last, RandomSource& random) const {
    std::vector<std::string> ranked = ranking();
    if (!last) return ranked[random.index(ranked.size())];
    long k_a = long(std::find(ranked.begin(), ranked.end(), *last) - ranked.begin());
    if (k_a == long(ranked.size())) throw std::invalid_argument("operator " + *last + " is not in the chain");
    const double p = 1.0 / double(ranked.size());
    // Propose uniformly, accept with min(1, (1 - p)^(k_b - k_a)) (LEMON's loop, which always ends:
    // the last operator itself is accepted with probability 1).
    while (true) {
        long k_b = long(random.index(ranked.size()));
        double acceptance = std::pow(1.0 - p, double(k_b - k_a));
        if (random.uniform() < acceptance) return ranked[size_t(k_b)];
    }
}

}  // namespace dlcov::lemon
