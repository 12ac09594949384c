// Which model to mutate next: roulette-wheel selection over the seeds and the mutants kept so far.
// LEMON's roulette weighs a model by 1 / (times selected + 1) so that every model gets its turn.
// Here that weight is multiplied by the model's summed D_MAD across backend pairs plus a floor of
// epsilon times the pool's mean D_MAD, so the search leans towards models whose backends disagree
// most (the inconsistency LEMON tries to grow) while a model with D_MAD 0 keeps a chance. D_MAD
// between tiny-dnn's backends is tiny (1e-10 .. 1e-6), so the floor is relative, not absolute.
// When every D_MAD is 0 the choice falls back to LEMON's own weights.
#pragma once
#include "random_source.h"

#include <string>
#include <vector>

namespace dlcov::lemon {

struct PoolModel {
    std::string name;    // e.g. lenet5_32_origin0-LA1
    std::string path;    // the model file
    std::string origin;  // the origin model it descends from (whose input it runs on)
    double d_mad = 0;    // summed D_MAD over backend pairs
    unsigned selected = 0;
};

class Roulette {
public:
    explicit Roulette(double epsilon = 0.1) : epsilon_(epsilon) {}
    void add(PoolModel model) { pool_.push_back(std::move(model)); }
    bool empty() const { return pool_.empty(); }
    const std::vector<PoolModel>& models() const { return pool_; }

    // The slot sizes of the wheel, per model, in pool order.
    std::vector<double> weights() const;

    // Picks a model (the pool must not be empty) and counts the selection.
    PoolModel choose(RandomSource& random);

private:
    double epsilon_;
    std::vector<PoolModel> pool_;
};

}  // namespace dlcov::lemon
