// CRADLE's output metrics (Pham et al., "CRADLE: Cross-Backend Validation to Detect and
// Localize Bugs in Deep Learning Libraries", ICSE 2019): how far two backends' outputs for
// the same model and inputs are from each other, measured against the ground truth.
#pragma once
#include <vector>

namespace dlcov {

// dlcov's default D_MAD threshold. The value CRADLE's paper used could not be checked
// here; 0.1 flags a pair whose deviations from the ground truth differ by more than
// about 22% (d = 0.1 means the larger deviation is 11/9 of the smaller one).
constexpr double kDefaultMadThreshold = 0.1;
// CRADLE checks whether the true class is in the top k of each backend's output.
constexpr int kDefaultTopK = 5;

// δ: the mean absolute deviation of each output vector from the one-hot ground truth
// (1 at the label, 0 elsewhere), averaged over samples. 0 for no samples.
// Throws std::invalid_argument when outputs and labels differ in number and
// std::out_of_range for a label outside an output vector.
double cradle_delta(const std::vector<std::vector<double>>& outputs, const std::vector<int>& labels);

// D_MAD = |δj − δk| / (δj + δk), in [0, 1]; 0 when both are 0.
double d_mad(double delta_j, double delta_k);

// The 1-based rank of the true class in `probs`: 1 + the number of classes scored higher.
// A NaN never ranks above a number; a NaN true class ranks below every number.
// Throws std::out_of_range for a label outside `probs`.
int d_class_rank(const std::vector<double>& probs, int label);

// The verdict on one backend pair (j, k) for one model and input batch.
struct InconsistencyVerdict {
    double delta_j = 0;
    double delta_k = 0;
    double d_mad = 0;
    double threshold = kDefaultMadThreshold;
    int top_k = kDefaultTopK;
    // Samples whose true class is in the top k for one backend only (D_CLASS).
    int class_disagreements = 0;
    bool mad_inconsistent = false;    // d_mad above the threshold, or not a number
    bool class_inconsistent = false;  // class_disagreements > 0
    bool inconsistent() const { return mad_inconsistent || class_inconsistent; }
};

// Compares backend j's and backend k's outputs for the same samples.
// Throws as cradle_delta does, and std::invalid_argument when j and k differ in length.
InconsistencyVerdict compare_backends(const std::vector<std::vector<double>>& outputs_j,
                                      const std::vector<std::vector<double>>& outputs_k,
                                      const std::vector<int>& labels,
                                      double threshold = kDefaultMadThreshold,
                                      int top_k = kDefaultTopK);

}  // namespace dlcov
