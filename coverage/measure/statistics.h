// Pairwise statistics over trials, as fuzzing benchmarks report them (Arcuri and Briand's
// guidelines): the two-sided Mann-Whitney U test and the Vargha-Delaney A12 effect size.
#pragma once
#include <vector>

namespace dlcov {

struct MannWhitneyResult {
    double u = 0;        // U of the first sample: pairs (a, b) with a > b, ties counting 1/2
    double p_value = 1;  // two-sided
    bool exact = false;  // exact distribution used (else the normal approximation)
};

enum class MannWhitneyMethod { Automatic, Exact, Asymptotic };

// Two-sided Mann-Whitney U test of `a` against `b`.
// Automatic uses the exact distribution of U when both samples have at most 10 values and there
// are no ties (as scipy.stats.mannwhitneyu does for small samples), otherwise the normal
// approximation with tie correction and continuity correction (scipy's use_continuity=True).
// Exact with ties falls back to the approximation. Empty samples give p = 1.
MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                                 MannWhitneyMethod method = MannWhitneyMethod::Automatic);

// Vargha-Delaney A12: probability that a value drawn from `a` is larger than one from `b`, ties
// counting 1/2. 0.5 = no difference; 1 = a always larger. Empty samples give 0.5.
// The middle value (mean of the two middle ones for an even count); 0 for none.
double median(std::vector<double> values);

double vargha_delaney_a12(const std::vector<double>& a, const std::vector<double>& b);

// Vargha and Delaney's thresholds on |A12 - 0.5|: "negligible", "small", "medium", "large".
const char* a12_magnitude(double a12);

}  // namespace dlcov
