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
    json j{{"name", m.name},
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
    if (!m.python_layers.empty()) {
        j["layers"] = json::array();
        for (const auto& p : m.python_layers) {
            json layer = {{"mode", "python"},
                          {"interpreter", p.interpreter},
                          {"package_root", p.package_root},
                          {"layout", p.layout},
                          {"coverage_version", p.coverage_version}};
            if (!p.package.empty()) layer["package"] = p.package;
            if (!p.package_roots.empty()) layer["package_roots"] = p.package_roots;
            if (!p.package_version.empty()) layer["package_version"] = p.package_version;
            if (!p.environment.empty()) layer["environment"] = p.environment;
            j["layers"].push_back(layer);
        }
    }
    if (!m.dir.empty()) j["build_dir"] = m.dir;
    if (!m.gcov_notes.empty()) j["gcov"] = {{"notes", m.gcov_notes}, {"gcov", m.gcov}};
    if (!m.path_remap.empty()) {
        j["path_remap"] = json::array();
        for (const auto& [from, to] : m.path_remap.rules) j["path_remap"].push_back({{"from", from}, {"to", to}});
    }
    return j;
}

// A field every llvm build has; a Python-only build may leave it out.
template <typename T>
T llvm_field(const json& doc, const std::string& key, const std::string& file, const std::string& mode) {
    if (mode != "llvm" && !doc.contains(key)) return T{};
    return field<T>(doc, key, file);
}

BuildManifest from_json(const json& doc, const std::string& file) {
    if (!doc.is_object()) throw UserError(file + ": expected a JSON object");
    BuildManifest m;
    m.name = field<std::string>(doc, "name", file);
    m.framework = field<std::string>(doc, "framework", file);
    m.version = field<std::string>(doc, "version", file);
    m.mode = field<std::string>(doc, "mode", file);
    json compiler = llvm_field<json>(doc, "compiler", file, m.mode);
    if (!compiler.is_null()) {
        m.compiler_path = field<std::string>(compiler, "path", file + " (compiler)");
        m.compiler_version = field<std::string>(compiler, "version", file + " (compiler)");
    }
    m.llvm_major = llvm_field<int>(doc, "llvm_major", file, m.mode);
    m.flags = llvm_field<std::vector<std::string>>(doc, "flags", file, m.mode);
    m.source_root = field<std::string>(doc, "source_root", file);
    m.objects = llvm_field<std::vector<std::string>>(doc, "objects", file, m.mode);
    m.targets = llvm_field<std::map<std::string, std::string>>(doc, "targets", file, m.mode);
    m.layout_profile = doc.value("layout_profile", std::string());
    m.component_map = field<std::string>(doc, "component_map", file);
    m.config = field<std::string>(doc, "config", file);
    m.input_hash = field<std::string>(doc, "input_hash", file);
    m.built_at = field<std::string>(doc, "built_at", file);
    if (auto layers = doc.find("layers"); layers != doc.end()) {
        if (!layers->is_array()) throw UserError(file + ": field 'layers' has the wrong type");
        for (size_t i = 0; i < layers->size(); ++i) {
            const json& layer = (*layers)[i];
            std::string where = file + " (layers[" + std::to_string(i) + "])";
            if (!layer.is_object()) throw UserError(where + ": expected a JSON object");
            std::string mode = field<std::string>(layer, "mode", where);
            if (mode != "python")
                throw UserError(where + ": coverage mode '" + mode + "' is not one this dlcov reads as a layer (python)");
            PythonLayerManifest p;
            p.interpreter = field<std::string>(layer, "interpreter", where);
            p.package_root = field<std::string>(layer, "package_root", where);
            p.layout = field<std::string>(layer, "layout", where);
            p.coverage_version = field<std::string>(layer, "coverage_version", where);
            p.package = layer.value("package", std::string());
            p.package_roots = layer.value("package_roots", std::vector<std::string>());
            p.package_version = layer.value("package_version", std::string());
            p.environment = layer.value("environment", std::string());
            m.python_layers.push_back(p);
        }
    }
    m.dir = doc.value("build_dir", std::string());
    if (auto gcov = doc.find("gcov"); gcov != doc.end()) {
        std::string where = file + " (gcov)";
        if (!gcov->is_object()) throw UserError(where + ": expected a JSON object");
        m.gcov_notes = field<std::vector<std::string>>(*gcov, "notes", where);
        m.gcov = field<std::string>(*gcov, "gcov", where);
    } else if (m.mode == "gcov") {
        throw UserError(file + ": field 'gcov' is missing (a gcov build names its notes files there)");
    }
    if (auto remap = doc.find("path_remap"); remap != doc.end()) {
        if (!remap->is_array()) throw UserError(file + ": field 'path_remap' has the wrong type");
        for (size_t i = 0; i < remap->size(); ++i) {
            std::string where = file + " (path_remap[" + std::to_string(i) + "])";
            if (!(*remap)[i].is_object()) throw UserError(where + ": expected a JSON object");
            m.path_remap.rules.emplace_back(field<std::string>((*remap)[i], "from", where),
                                            field<std::string>((*remap)[i], "to", where));
        }
    }
    return m;
}

}  // namespace

std::string BuildManifest::build_dir() const {
    return !dir.empty() ? dir : fs::path(source_root).parent_path().string();
}

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
