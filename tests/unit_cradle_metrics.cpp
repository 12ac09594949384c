// CRADLE's metrics against values worked out by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "cradle/metrics.h"

using namespace dlcov;

TEST_CASE("cradle_delta is the mean absolute deviation from the one-hot truth", "[cradle]") {
    // Sample 0, label 0: |0.7-1| + |0.2| + |0.1| = 0.6, over 3 classes = 0.2.
    // Sample 1, label 2: |0.5| + |0.5| + |0-1| = 2.0, over 3 classes = 2/3.
    const std::vector<std::vector<double>> outputs = {{0.7, 0.2, 0.1}, {0.5, 0.5, 0.0}};
    CHECK(cradle_delta(outputs, {0, 2}) == Approx((0.2 + 2.0 / 3) / 2));
    CHECK(cradle_delta({{0, 1, 0}}, {1}) == 0);
    CHECK(cradle_delta({{1, 0}}, {1}) == Approx(1.0));
    CHECK(cradle_delta({}, {}) == 0);
}

TEST_CASE("cradle_delta rejects mismatched labels", "[cradle]") {
    CHECK_THROWS_AS(cradle_delta({{0.5, 0.5}}, {}), std::invalid_argument);
    CHECK_THROWS_AS(cradle_delta({{0.5, 0.5}}, {2}), std::out_of_range);
    CHECK_THROWS_AS(cradle_delta({{0.5, 0.5}}, {-1}), std::out_of_range);
}

TEST_CASE("d_mad is |dj - dk| / (dj + dk)", "[cradle]") {
    CHECK(d_mad(0.3, 0.1) == Approx(0.5));
    CHECK(d_mad(0.1, 0.3) == Approx(0.5));
    CHECK(d_mad(0.2, 0.2) == 0);
    CHECK(d_mad(0.0, 0.4) == Approx(1.0));
    CHECK(d_mad(0.0, 0.0) == 0);
    CHECK(std::isnan(d_mad(std::numeric_limits<double>::quiet_NaN(), 0.1)));
}

TEST_CASE("d_class_rank is the 1-based rank of the true class", "[cradle]") {
    const std::vector<double> probs = {0.1, 0.5, 0.3, 0.05, 0.05};
    CHECK(d_class_rank(probs, 1) == 1);
    CHECK(d_class_rank(probs, 2) == 2);
    CHECK(d_class_rank(probs, 0) == 3);
    // Ties share the better rank: only strictly higher scores count.
    CHECK(d_class_rank(probs, 3) == 4);
    CHECK(d_class_rank(probs, 4) == 4);
    CHECK_THROWS_AS(d_class_rank(probs, 5), std::out_of_range);
}

TEST_CASE("d_class_rank puts NaN last", "[cradle]") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK(d_class_rank({nan, 0.2, 0.8}, 1) == 2);
    CHECK(d_class_rank({nan, 0.2, 0.8}, 0) == 3);
}

TEST_CASE("compare_backends flags a D_MAD above the threshold", "[cradle]") {
    // Backend j: per sample |0.7-1| + 0.3 = 0.6 over 3 classes = 0.2; δ = 0.2.
    const std::vector<std::vector<double>> j = {{0.7, 0.3, 0.0}, {0.0, 0.7, 0.3}};
    // Backend k: per sample |0.4-1|+0.6 = 1.2 over 3 = 0.4; δ = 0.4. D_MAD = 0.2/0.6 = 1/3.
    const std::vector<std::vector<double>> k = {{0.4, 0.6, 0.0}, {0.0, 0.4, 0.6}};
    const std::vector<int> labels = {0, 1};

    const InconsistencyVerdict v = compare_backends(j, k, labels);
    CHECK(v.delta_j == Approx(0.2));
    CHECK(v.delta_k == Approx(0.4));
    CHECK(v.d_mad == Approx(1.0 / 3));
    CHECK(v.threshold == kDefaultMadThreshold);
    CHECK(v.mad_inconsistent);
    // Within the default top 5 of 3 classes the truth is always found: no D_CLASS finding.
    CHECK(v.class_disagreements == 0);
    CHECK(v.inconsistent());

    // With a looser threshold and top-1 the verdict comes from the class ranks instead.
    const InconsistencyVerdict top1 = compare_backends(j, k, labels, 0.5, 1);
    CHECK_FALSE(top1.mad_inconsistent);
    CHECK(top1.class_disagreements == 2);  // k ranks the truth second on both samples
    CHECK(top1.class_inconsistent);
    CHECK(top1.inconsistent());
}

TEST_CASE("compare_backends passes identical outputs and flags NaN", "[cradle]") {
    const std::vector<std::vector<double>> j = {{0.9, 0.1}, {0.2, 0.8}};
    const InconsistencyVerdict same = compare_backends(j, j, {0, 1});
    CHECK(same.d_mad == 0);
    CHECK_FALSE(same.inconsistent());

    const double nan = std::numeric_limits<double>::quiet_NaN();
    const InconsistencyVerdict broken = compare_backends(j, {{nan, nan}, {0.2, 0.8}}, {0, 1});
    CHECK(broken.mad_inconsistent);
    CHECK_THROWS_AS(compare_backends(j, {{0.9, 0.1}}, {0, 1}), std::invalid_argument);
}
