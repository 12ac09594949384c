#include "roulette.h"

#include <stdexcept>

namespace dlcov::lemon {

std::vector<double> Roulette::weights() const {
    double mean = 0;
    for (const auto& m : pool_) mean += m.d_mad;
    mean = pool_.empty() ? 0 : mean / double(pool_.size());
    std::vector<double> w;
    for (const auto& m : pool_) {
        double inconsistency = mean > 0 ? m.d_mad + epsilon_ * mean : 1.0;
        w.push_back(inconsistency / double(m.selected + 1));
    }
    return w;
}

PoolModel Roulette::choose(RandomSource& random) {
    if (pool_.empty()) throw std::logic_error("roulette over an empty pool");
    std::vector<double> w = weights();
    double total = 0;
    for (double x : w) total += x;
    double ball = random.uniform() * total;
    size_t chosen = pool_.size() - 1;  // rounding can leave the ball just past the last slot
    for (size_t i = 0; i < pool_.size(); ++i) {
        if (ball < w[i]) {
            chosen = i;
            break;
        }
        ball -= w[i];
    }
    ++pool_[chosen].selected;
    return pool_[chosen];
}

}  // namespace dlcov::lemon
