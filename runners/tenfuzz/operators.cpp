#include "operators.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>

using nlohmann::json;

namespace dlcov::tenfuzz {

namespace {

// A sample value as the driver reads it: numbers, or "nan"/"inf"/"-inf" (null reads as NaN).
double as_double(const json& v) {
    if (v.is_number()) return v.get<double>();
    if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s == "inf") return std::numeric_limits<double>::infinity();
        if (s == "-inf") return -std::numeric_limits<double>::infinity();
    }
    return std::numeric_limits<double>::quiet_NaN();
}

// JSON has no NaN or infinity: write them as the strings the driver reads.
json to_value(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    return v;
}

long count_of(const json& shape) { return shape[0].get<long>() * shape[1].get<long>() * shape[2].get<long>(); }

// Inputs whose every sample holds channels*height*width values (not already ragged).
std::vector<size_t> regular_inputs(const json& test) {
    std::vector<size_t> found;
    const json& inputs = test.value("inputs", json::array());
    for (size_t i = 0; i < inputs.size(); ++i) {
        bool regular = true;
        for (const json& s : inputs[i]["samples"]) regular = regular && long(s.size()) == count_of(inputs[i]["shape"]);
        if (regular) found.push_back(i);
    }
    return found;
}

template <typename T>
const T& pick(const std::vector<T>& items, std::mt19937& rng) {
    return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(rng)];
}

Mutation not_applicable(const std::string& reason) {
    Mutation m;
    m.reason = reason;
    return m;
}

Mutation applied(const std::string& op, json test, json record) {
    Mutation m;
    m.applied = true;
    record["operator"] = op;
    m.record = record;
    if (!test.contains("history")) test["history"] = json::array();
    test["history"].push_back(record);
    m.test = std::move(test);
    return m;
}


// Tensor type: tiny-dnn holds every tensor as float, so a type change becomes a change of value
// domain, as if the data had been produced by (or cast through) another type: int8, uint8 and
// bool values, or the extreme values of float and of int32 scattered through the tensor.
Mutation mutate_tensor_type(const json& test, std::mt19937& rng) {
    const json& inputs = test.value("inputs", json::array());
    if (inputs.empty()) return not_applicable("the API takes no tensor");
    const size_t index = std::uniform_int_distribution<size_t>(0, inputs.size() - 1)(rng);
    const std::string domain = pick(std::vector<std::string>{"int8", "uint8", "bool", "float_extremes", "int32_extremes"}, rng);
    json mutant = test;
    json& samples = mutant["inputs"][index]["samples"];
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const json& s : samples)
        for (const json& v : s)
            if (std::isfinite(as_double(v))) lo = std::min(lo, as_double(v)), hi = std::max(hi, as_double(v));
    const double max_abs = std::max({std::fabs(lo), std::fabs(hi), 1e-12});
    const std::vector<double> float_extremes = {std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(),
                                                std::numeric_limits<float>::min(), std::numeric_limits<float>::denorm_min()};
    const std::vector<double> int_extremes = {double(INT32_MAX), double(INT32_MIN)};
    size_t position = 0;
    for (json& s : samples)
        for (json& v : s) {
            const double x = as_double(v);
            double y = x;
            if (!std::isfinite(x)) y = x;
            else if (domain == "int8") y = std::clamp(std::round(x / max_abs * 127), -128.0, 127.0);
            else if (domain == "uint8") y = hi > lo ? std::round((x - lo) / (hi - lo) * 255) : 0;
            else if (domain == "bool") y = x > 0 ? 1 : 0;
            else if (position % 3 == 0)  // extremes: every third value
                y = domain == "float_extremes" ? float_extremes[(position / 3) % float_extremes.size()]
                                               : int_extremes[(position / 3) % int_extremes.size()];
            v = to_value(y);
            ++position;
        }
    return applied("tensor_type", std::move(mutant), {{"input", index}, {"domain", domain}});
}

// Tensor shape: the same data under another shape with the same number of elements
// (3x4 -> 2x6); a layer built from this input is built for the new shape.
Mutation mutate_tensor_shape(const json& test, std::mt19937& rng) {
    const std::vector<size_t> candidates = regular_inputs(test);
    if (candidates.empty()) return not_applicable("no input with a regular shape");
    const size_t index = pick(candidates, rng);
    const json shape = test["inputs"][index]["shape"];
    const long n = count_of(shape);
    std::vector<std::vector<long>> shapes;
    for (long c = 1; c <= n; ++c)
        for (long h = 1; c * h <= n; ++h)
            if (n % (c * h) == 0 && json({c, h, n / (c * h)}) != shape) shapes.push_back({c, h, n / (c * h)});
    if (shapes.empty()) return not_applicable("a single element has no other shape");
    const std::vector<long>& to = pick(shapes, rng);
    json mutant = test;
    mutant["inputs"][index]["shape"] = to;
    return applied("tensor_shape", std::move(mutant), {{"input", index}, {"from", shape}, {"to", to}});
}

// Tensor structure: a sparse tensor (about nine in ten values set to zero), or, where the API
// takes a vector of vectors whose rows may differ (tiny-dnn's losses over a batch), a ragged
// one: row k of every input cut to its own length.
Mutation mutate_tensor_structure(const json& test, std::mt19937& rng) {
    const json& inputs = test.value("inputs", json::array());
    if (inputs.empty()) return not_applicable("the API takes no tensor");
    const bool ragged_ok = test.value("api", "") == "loss";
    if (ragged_ok && std::bernoulli_distribution(0.5)(rng)) {
        json mutant = test;
        json lengths = json::array();
        for (json& in : mutant["inputs"]) {
            json& samples = in["samples"];
            if (samples.size() == 1) samples.push_back(samples[0]);  // two rows at least, to differ
            for (size_t k = 0; k < samples.size(); ++k) {
                const size_t full = samples[k].size();
                const size_t keep = std::max<size_t>(1, full - k % full);
                samples[k].erase(samples[k].begin() + long(keep), samples[k].end());
            }
        }
        for (const json& s : mutant["inputs"][0]["samples"]) lengths.push_back(s.size());
        return applied("tensor_structure", std::move(mutant), {{"structure", "ragged"}, {"row_lengths", lengths}});
    }
    const size_t index = std::uniform_int_distribution<size_t>(0, inputs.size() - 1)(rng);
    json mutant = test;
    std::bernoulli_distribution keep(0.1);
    size_t zeroed = 0, total = 0;
    for (json& s : mutant["inputs"][index]["samples"])
        for (json& v : s) {
            ++total;
            if (!keep(rng)) v = 0.0, ++zeroed;
        }
    return applied("tensor_structure", std::move(mutant),
                   {{"structure", "sparse"}, {"input", index}, {"zeroed", zeroed}, {"values", total}});
}

std::vector<double> rotate_sample(const std::vector<double>& sample, int c, int h, int w, int degrees, int& out_h,
                                  int& out_w) {
    degrees = ((degrees % 360) + 360) % 360;
    const bool quarter = degrees == 90 || degrees == 270;
    out_h = quarter ? w : h;
    out_w = quarter ? h : w;
    std::vector<double> out(sample.size(), 0.0);
    auto at = [&](int ch, int i, int j) { return sample[size_t(ch) * h * w + size_t(i) * w + j]; };
    for (int ch = 0; ch < c; ++ch) {
        double* plane = &out[size_t(ch) * out_h * out_w];
        if (degrees % 90 == 0) {  // exact: pixel (i, j) moves to its rotated place
            for (int i = 0; i < h; ++i)
                for (int j = 0; j < w; ++j) {
                    int y = i, x = j;
                    if (degrees == 90) y = j, x = h - 1 - i;
                    else if (degrees == 180) y = h - 1 - i, x = w - 1 - j;
                    else if (degrees == 270) y = w - 1 - j, x = i;
                    plane[size_t(y) * out_w + x] = at(ch, i, j);
                }
            continue;
        }
        // Any other angle: each output pixel samples the input at its inversely rotated place.
        const double theta = degrees * M_PI / 180, cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const double dy = y - cy, dx = x - cx;
                const double sx = cx + dx * std::cos(theta) + dy * std::sin(theta);
                const double sy = cy - dx * std::sin(theta) + dy * std::cos(theta);
                const int x0 = int(std::floor(sx)), y0 = int(std::floor(sy));
                double value = 0;
                for (int yy = y0; yy <= y0 + 1; ++yy)
                    for (int xx = x0; xx <= x0 + 1; ++xx) {
                        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                        const double weight = (1 - std::fabs(sx - xx)) * (1 - std::fabs(sy - yy));
                        value += weight * at(ch, yy, xx);
                    }
                plane[size_t(y) * w + x] = value;
            }
    }
    return out;
}

// Tensor rotation: every channel of 2-D spatial data rotated clockwise by 90, 180 or 270
// degrees (the shape's height and width swap for 90 and 270), or by 30 through interpolation.
Mutation mutate_tensor_rotation(const json& test, std::mt19937& rng) {
    std::vector<size_t> spatial;
    for (size_t i : regular_inputs(test)) {
        const json& shape = test["inputs"][i]["shape"];
        if (shape[1].get<long>() > 1 && shape[2].get<long>() > 1) spatial.push_back(i);
    }
    if (spatial.empty()) return not_applicable("no input with 2-D spatial data (height and width > 1)");
    const size_t index = pick(spatial, rng);
    const int degrees = pick(std::vector<int>{30, 90, 180, 270}, rng);
    json mutant = test;
    json& in = mutant["inputs"][index];
    const int c = in["shape"][0], h = in["shape"][1], w = in["shape"][2];
    int out_h = h, out_w = w;
    for (json& s : in["samples"]) {
        std::vector<double> values;
        for (const json& v : s) values.push_back(as_double(v));
        json rotated = json::array();
        for (double v : rotate_sample(values, c, h, w, degrees, out_h, out_w)) rotated.push_back(to_value(v));
        s = std::move(rotated);
    }
    in["shape"] = {c, out_h, out_w};
    return applied("tensor_rotation", std::move(mutant),
                   {{"input", index}, {"degrees", degrees}, {"from", {c, h, w}}, {"to", {c, out_h, out_w}}});
}

// Parameter mutation: one numeric constructor or hyper-parameter negated, set to 0, NaN, or the
// maximum or minimum of its C++ type. NaN exists for float only; an unsigned parameter's
// minimum is 0 (so "min" is "zero"), and its negation wraps as C++ would convert it.
Mutation mutate_parameter(const json& test, std::mt19937& rng) {
    const json& types = test.value("param_types", json::object());
    const json& params = test.value("params", json::object());
    std::vector<std::string> names;
    for (const auto& [name, type] : types.items())
        if (params.contains(name)) names.push_back(name);
    if (names.empty()) return not_applicable("the API takes no numeric parameter");
    const std::string name = pick(names, rng);
    const std::string type = types[name];
    std::vector<std::string> kinds = {"negate", "zero"};
    if (type == "float") kinds.insert(kinds.end(), {"nan", "max", "min"});
    if (type == "uint" || type == "int") kinds.push_back("max");
    if (type == "int") kinds.push_back("min");
    const std::string kind = pick(kinds, rng);
    const json& from = params[name];
    json to;
    if (type == "bool") {
        to = kind == "negate" ? !(from.is_boolean() ? from.get<bool>() : as_double(from) != 0) : false;
    } else if (type == "float") {
        if (kind == "negate") to = to_value(-as_double(from));
        else if (kind == "zero") to = 0.0;
        else if (kind == "nan") to = "nan";
        else if (kind == "max") to = double(std::numeric_limits<float>::max());
        else to = double(std::numeric_limits<float>::lowest());
    } else {  // uint (serial_size_t) or int
        const int64_t v = from.is_number() ? from.get<int64_t>() : 0;
        if (kind == "negate") to = -v;
        else if (kind == "zero") to = 0;
        else if (kind == "max") to = type == "uint" ? int64_t(UINT32_MAX) : int64_t(INT32_MAX);
        else to = int64_t(INT32_MIN);
    }
    json mutant = test;
    mutant["params"][name] = to;
    return applied("parameter", std::move(mutant),
                   {{"param", name}, {"type", type}, {"kind", kind}, {"from", from}, {"to", to}});
}

}  // namespace

const std::vector<std::string>& operator_names() {
    static const std::vector<std::string> names = {"tensor_type", "tensor_shape", "tensor_structure", "tensor_rotation",
                                                   "parameter"};
    return names;
}

Mutation mutate(const std::string& op, const json& test, std::mt19937& rng) {
    if (op == "tensor_type") return mutate_tensor_type(test, rng);
    if (op == "tensor_shape") return mutate_tensor_shape(test, rng);
    if (op == "tensor_structure") return mutate_tensor_structure(test, rng);
    if (op == "tensor_rotation") return mutate_tensor_rotation(test, rng);
    if (op == "parameter") return mutate_parameter(test, rng);
    throw std::invalid_argument("unknown TenFuzz operator: " + op);
}

}  // namespace dlcov::tenfuzz
