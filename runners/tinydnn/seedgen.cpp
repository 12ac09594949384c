// dlcov-tinydnn-seeds: writes the tiny-dnn seed models and their inputs.
//
//   dlcov-tinydnn-seeds --out DIR [--samples N]
//
// For each seed: DIR/<name>.model.json (tiny-dnn JSON, weights_and_model) and
// DIR/<name>.input.json (the executor's input format), plus DIR/seeds.json listing them:
//   [{"name": ..., "model": "<name>.model.json", "input": "<name>.input.json", "classes": K}]
// Exit codes: 0 written, 2 bad arguments, 1 anything else failed.
#include <cmath>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "seed_models.h"

namespace fs = std::filesystem;
using dlcov::tinydnn::SeedData;
using dlcov::tinydnn::SeedModel;

namespace {

constexpr int kDefaultSamples = 8;

const char* const kUsage =
    "usage: dlcov-tinydnn-seeds --out DIR [--samples N]\n"
    "Writes the tiny-dnn seed models (DIR/<name>.model.json), their inputs\n"
    "(DIR/<name>.input.json, N samples each, default 8) and DIR/seeds.json.\n";

void write_json(const fs::path& path, const nlohmann::json& value, int indent) {
    std::ofstream out(path);
    out << value.dump(indent) << '\n';
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

nlohmann::json input_json(const SeedData& data) {
    // Values were rounded to 4 decimals; print them so, not as float-to-double noise.
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& sample : data.samples) {
        nlohmann::json values = nlohmann::json::array();
        for (float v : sample) values.push_back(std::round(double(v) * 1e4) / 1e4);
        samples.push_back(std::move(values));
    }
    return {{"shape", {data.shape.channels, data.shape.height, data.shape.width}},
            {"samples", samples},
            {"labels", data.labels}};
}

}  // namespace

int main(int argc, char** argv) {
    std::string out_dir;
    int samples = kDefaultSamples;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (arg == "--out" && has_value) {
            out_dir = argv[++i];
        } else if (arg == "--samples" && has_value) {
            char* end = nullptr;
            const long n = std::strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 10000) {
                std::cerr << "dlcov-tinydnn-seeds: --samples wants a number from 1 to 10000\n";
                return 2;
            }
            samples = static_cast<int>(n);
        } else {
            std::cerr << "dlcov-tinydnn-seeds: unexpected argument '" << arg << "'\n" << kUsage;
            return 2;
        }
    }
    if (out_dir.empty()) {
        std::cerr << kUsage;
        return 2;
    }

    try {
        fs::create_directories(out_dir);
        nlohmann::json index = nlohmann::json::array();
        for (const SeedModel& model : dlcov::tinydnn::seed_models()) {
            const std::string model_file = model.name + ".model.json";
            const std::string input_file = model.name + ".input.json";
            dlcov::tinydnn::save_seed_model(model, (fs::path(out_dir) / model_file).string());
            write_json(fs::path(out_dir) / input_file,
                       input_json(dlcov::tinydnn::make_seed_data(model, samples)), -1);
            index.push_back({{"name", model.name},
                             {"model", model_file},
                             {"input", input_file},
                             {"classes", model.classes}});
        }
        write_json(fs::path(out_dir) / "seeds.json", index, 1);
    } catch (const std::exception& e) {
        std::cerr << "dlcov-tinydnn-seeds: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
