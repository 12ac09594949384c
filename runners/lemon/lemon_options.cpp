#include "lemon_options.h"

#include <stdexcept>

namespace dlcov::lemon {
namespace {

template <typename T>
T option(const nlohmann::json& options, const char* key, const T& fallback) {
    if (!options.contains(key)) return fallback;
    try {
        return options.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument(std::string("option ") + key + ": wrong type (" + options.at(key).dump() + ")");
    }
}

}  // namespace

LemonOptions parse_lemon_options(const nlohmann::json& options) {
    LemonOptions o;
    if (options.is_null()) return o;
    if (!options.is_object()) throw std::invalid_argument("options must be a JSON object");
    o.backends = option(options, "backends", o.backends);
    o.operators = option(options, "operators", o.operators);
    o.max_mutants = option(options, "max_mutants", o.max_mutants);
    o.threshold = option(options, "threshold", o.threshold);
    o.epsilon = option(options, "epsilon", o.epsilon);
    o.mutation.mutate_ratio = option(options, "mutate_ratio", o.mutation.mutate_ratio);
    o.seeds = option(options, "seeds", o.seeds);
    if (o.backends.empty()) throw std::invalid_argument("option backends: needs at least one backend");
    for (const auto& b : o.backends)
        if (b != "internal" && b != "avx") throw std::invalid_argument("option backends: unknown backend " + b);
    if (o.operators.empty()) throw std::invalid_argument("option operators: needs at least one operator");
    for (const auto& op : o.operators)
        if (!is_operator(op)) throw std::invalid_argument("option operators: unknown LEMON operator " + op);
    if (!(o.mutation.mutate_ratio > 0 && o.mutation.mutate_ratio <= 1))
        throw std::invalid_argument("option mutate_ratio: must be in (0, 1]");
    if (!(o.threshold >= 0)) throw std::invalid_argument("option threshold: must be >= 0");
    if (!(o.epsilon > 0)) throw std::invalid_argument("option epsilon: must be > 0");
    return o;
}

}  // namespace dlcov::lemon
