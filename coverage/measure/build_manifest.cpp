#include "build_manifest.h"

#include "error.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace dlcov {

namespace {

template <typename T>
T field(const json& doc, const std::string& key, const std::string& file) {
    auto it = doc.find(key);
    if (it == doc.end()) throw UserError(file + ": field '" + key + "' is missing");
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        throw UserError(file + ": field '" + key + "' has the wrong type");
    }
}

json to_json(const BuildManifest& m) {
    return json{{"name", m.name},
                {"framework", m.framework},
                {"version", m.version},
                {"mode", m.mode},
                {"compiler", {{"path", m.compiler_path}, {"version", m.compiler_version}}},
                {"llvm_major", m.llvm_major},
                {"flags", m.flags},
                {"source_root", m.source_root},
                {"objects", m.objects},
                {"targets", m.targets},
                {"layout_profile", m.layout_profile},
                {"component_map", m.component_map},
                {"config", m.config},
                {"input_hash", m.input_hash},
                {"built_at", m.built_at}};
}

BuildManifest from_json(const json& doc, const std::string& file) {
    if (!doc.is_object()) throw UserError(file + ": expected a JSON object");
    BuildManifest m;
    m.name = field<std::string>(doc, "name", file);
    m.framework = field<std::string>(doc, "framework", file);
    m.version = field<std::string>(doc, "version", file);
    m.mode = field<std::string>(doc, "mode", file);
    json compiler = field<json>(doc, "compiler", file);
    m.compiler_path = field<std::string>(compiler, "path", file + " (compiler)");
    m.compiler_version = field<std::string>(compiler, "version", file + " (compiler)");
    m.llvm_major = field<int>(doc, "llvm_major", file);
    m.flags = field<std::vector<std::string>>(doc, "flags", file);
    m.source_root = field<std::string>(doc, "source_root", file);
    m.objects = field<std::vector<std::string>>(doc, "objects", file);
    m.targets = field<std::map<std::string, std::string>>(doc, "targets", file);
    m.layout_profile = doc.value("layout_profile", std::string());
    m.component_map = field<std::string>(doc, "component_map", file);
    m.config = field<std::string>(doc, "config", file);
    m.input_hash = field<std::string>(doc, "input_hash", file);
    m.built_at = field<std::string>(doc, "built_at", file);
    return m;
}

}  // namespace

std::string BuildManifest::build_dir() const { return fs::path(source_root).parent_path().string(); }

std::string manifest_path(const std::string& build_dir) {
    return (fs::path(build_dir) / "build.json").string();
}

BuildManifest load_manifest(const std::string& build_dir_or_json) {
    std::error_code error;
    std::string file = fs::is_directory(build_dir_or_json, error) ? manifest_path(build_dir_or_json)
                                                                  : build_dir_or_json;
    std::ifstream in(file);
    if (!in)
        throw UserError(file + ": no build manifest; build it with `dlcov instrument FRAMEWORK.yaml`");
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::parse_error& e) {
        throw UserError(file + ": not a valid build manifest (" + e.what() +
                        "); rebuild with `dlcov instrument --force`");
    }
    return from_json(doc, file);
}

void write_manifest(const BuildManifest& manifest, const std::string& json_path) {
    std::string temporary = json_path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << to_json(manifest).dump(2) << "\n";
        out.flush();
        if (!out) throw UserError(temporary + ": cannot write");
    }
    std::error_code error;
    fs::rename(temporary, json_path, error);
    if (error) {
        fs::remove(temporary);
        throw UserError(json_path + ": cannot write: " + error.message());
    }
}

}  // namespace dlcov
