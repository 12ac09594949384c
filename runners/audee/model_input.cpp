#include "model_input.h"

#include "genetic_operators.h"

namespace dlcov::audee {
namespace {

// Beyond float's range: the executor turns it into an infinity of the same sign.
constexpr double kBeyondFloat = 1e39;

double special_number(SpecialValue value, Rng& rng) {
    switch (value) {
        case SpecialValue::zero: return 0.0;
        case SpecialValue::huge: return (rng.chance(0.5) ? 1 : -1) * 3.0e38;
        case SpecialValue::infinity: return kBeyondFloat;
        case SpecialValue::negative_infinity: return -kBeyondFloat;
        case SpecialValue::denormal: return (rng.chance(0.5) ? 1 : -1) * 1e-42;
        case SpecialValue::none: break;
    }
    return 0.0;
}

}  // namespace

nlohmann::json make_input(const InputGenes& input, int classes) {
    Rng rng(input.seed);
    nlohmann::json samples = nlohmann::json::array();
    nlohmann::json labels = nlohmann::json::array();
    for (int i = 0; i < input.samples; ++i) {
        nlohmann::json values = nlohmann::json::array();
        for (long k = 0; k < input.shape.size(); ++k) {
            double u = rng.uniform(-1, 1);
            bool special = input.special != SpecialValue::none && rng.uniform() < input.special_fraction;
            values.push_back(special ? special_number(input.special, rng) : input.offset + input.scale * u);
        }
        samples.push_back(std::move(values));
        labels.push_back(classes > 0 ? i % classes : 0);
    }
    return {{"shape", {input.shape.channels, input.shape.height, input.shape.width}},
            {"samples", std::move(samples)},
            {"labels", std::move(labels)}};
}

}  // namespace dlcov::audee
