// The seed models of the tiny-dnn runners: eight small classifiers in the spirit of the
// CRADLE/LEMON study, with deterministic weights and synthetic, deterministic inputs.
// A seed is a model (tiny-dnn's own JSON, weights_and_model) plus a labelled input batch
// in the executor's input format (see executor.cpp).
#pragma once
#include <string>
#include <vector>

namespace dlcov::tinydnn {

struct SeedShape {
    int channels = 1;
    int height = 1;
    int width = 1;
    int size() const { return channels * height * width; }
};

struct SeedModel {
    std::string name;
    SeedShape input;
    int classes = 10;
};

// A labelled batch; each sample is channel-major (channel, row, column), as tiny-dnn reads it.
struct SeedData {
    SeedShape shape;
    std::vector<std::vector<float>> samples;
    std::vector<int> labels;
};

// The eight seeds, in a fixed order.
const std::vector<SeedModel>& seed_models();

// `count` samples; sample i has label i % classes and shows that class's pattern plus noise.
// Different `variant`s give different noise (the training set is not the seed input).
SeedData make_seed_data(const SeedModel& model, int count, unsigned variant = 0);

// Builds `model` with fixed weights, trains it briefly on synthetic data so that its
// class probabilities mean something (all but inception_like, whose lrn layer cannot
// back-propagate), and saves it as tiny-dnn JSON to `path`.
void save_seed_model(const SeedModel& model, const std::string& path);

}  // namespace dlcov::tinydnn
