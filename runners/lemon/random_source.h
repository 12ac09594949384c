// The generator's only source of randomness. mt19937's output is fixed by the C++ standard but
// the standard distributions are not, so the few distributions needed here are written out:
// the same --seed gives the same mutants with any standard library.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace dlcov::lemon {

class RandomSource {
public:
    explicit RandomSource(std::uint64_t seed) : engine_(seed) {}

    // Uniform in [0, 1).
    double uniform() { return double(engine_() >> 11) * (1.0 / 9007199254740992.0); }

    // Uniform in [0, n); n must be positive.
    size_t index(size_t n) { return size_t(uniform() * double(n)); }

    // Standard normal (Box-Muller).
    double normal() {
        double u1 = uniform(), u2 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }

    template <typename T>
    const T& pick(const std::vector<T>& items) { return items[index(items.size())]; }

    // Fisher-Yates.
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[index(i)]);
    }

    // `count` distinct indices out of [0, n), in random order.
    std::vector<size_t> sample(size_t n, size_t count) {
        std::vector<size_t> all(n);
        for (size_t i = 0; i < n; ++i) all[i] = i;
        shuffle(all);
        all.resize(count < n ? count : n);
        return all;
    }

private:
    std::mt19937_64 engine_;
};

}  // namespace dlcov::lemon
