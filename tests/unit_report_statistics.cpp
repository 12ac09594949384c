// Mann-Whitney U and Vargha-Delaney A12 against values published or computed by hand.
#include "statistics.h"

#include <catch2/catch.hpp>

using namespace dlcov;

TEST_CASE("Mann-Whitney U: the exact distribution matches scipy's documented example", "[report]") {
    // scipy.stats.mannwhitneyu documentation: males vs females -> U1 = 17, exact p = 0.1111...,
    // method="asymptotic" (continuity correction) p = 0.11134688653314041.
    std::vector<double> males = {19, 22, 16, 29, 24}, females = {20, 11, 17, 12};
    MannWhitneyResult exact = mann_whitney_u(males, females);
    CHECK(exact.exact);
    CHECK(exact.u == 17);
    CHECK(exact.p_value == Approx(0.1111111111111111).epsilon(1e-12));
    MannWhitneyResult asymptotic = mann_whitney_u(males, females, MannWhitneyMethod::Asymptotic);
    CHECK_FALSE(asymptotic.exact);
    CHECK(asymptotic.p_value == Approx(0.11134688653314041).epsilon(1e-9));
}

TEST_CASE("Mann-Whitney U: complete separation of two samples of five", "[report]") {
    // U = 0; only 1 of the C(10,5) = 252 orderings is as extreme on each side: p = 2/252.
    MannWhitneyResult r = mann_whitney_u({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10});
    CHECK(r.exact);
    CHECK(r.u == 0);
    CHECK(r.p_value == Approx(2.0 / 252.0).epsilon(1e-12));
    // Swapping the samples gives U = n1*n2 and the same two-sided p.
    MannWhitneyResult s = mann_whitney_u({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5});
    CHECK(s.u == 25);
    CHECK(s.p_value == Approx(r.p_value).epsilon(1e-12));
}

TEST_CASE("Mann-Whitney U with ties uses the tie-corrected normal approximation", "[report]") {
    // a = 1 2 2 3 4, b = 2 3 5 6 6 7. Mid-ranks: 1->1, 2->3, 3->5.5, 4->7, 5->8, 6->9.5, 7->11.
    // R_a = 1+3+3+5.5+7 = 19.5, U_a = 19.5 - 15 = 4.5. Tie groups 3, 2, 2: sum(t^3-t) = 36.
    // var = 5*6/12 * (12 - 36/110) = 29.1818..., z = (|4.5-15| - 0.5)/sqrt(var) = 1.851159...
    // p = erfc(z/sqrt 2) = 0.0641466...
    MannWhitneyResult r = mann_whitney_u({1, 2, 2, 3, 4}, {2, 3, 5, 6, 6, 7});
    CHECK_FALSE(r.exact);
    CHECK(r.u == 4.5);
    CHECK(r.p_value == Approx(0.06414661873440443).epsilon(1e-9));
}

TEST_CASE("Mann-Whitney U: identical samples show no difference", "[report]") {
    CHECK(mann_whitney_u({3, 3, 3}, {3, 3, 3}).p_value == 1.0);
    CHECK(mann_whitney_u({1, 2, 3}, {1, 2, 3}).p_value == Approx(1.0));
    CHECK(mann_whitney_u({}, {1, 2}).p_value == 1.0);
}

TEST_CASE("Vargha-Delaney A12", "[report]") {
    CHECK(vargha_delaney_a12({1, 2, 3}, {1, 2, 3}) == 0.5);
    CHECK(vargha_delaney_a12({5, 5}, {5, 5, 5}) == 0.5);
    CHECK(vargha_delaney_a12({6, 7, 8}, {1, 2, 3}) == 1.0);
    CHECK(vargha_delaney_a12({1, 2, 3}, {6, 7, 8}) == 0.0);
    // males vs females above: A12 = U1 / (n1 n2) = 17/20.
    CHECK(vargha_delaney_a12({19, 22, 16, 29, 24}, {20, 11, 17, 12}) == Approx(0.85));
    CHECK(std::string(a12_magnitude(0.85)) == "large");
    CHECK(std::string(a12_magnitude(0.52)) == "negligible");
    CHECK(std::string(a12_magnitude(0.40)) == "small");
}
