#include "source_build_config.h"

#include "config_values.h"
#include "source_build_loader.h"

#include <regex>
#include <set>

namespace dlcov {

namespace {

const std::set<std::string> kPlaceholders = {"source", "build", "python", "site_packages", "wheel_dir",
                                              "jobs", "cc", "cxx"};

// A misspelt placeholder would reach the build system as text: name it here instead.
void check_placeholders(const YamlFile& file, const YAML::Node& node, const std::string& key,
                        const std::string& text) {
    static const std::regex brace(R"(\{([A-Za-z_]+)\})");
    for (std::sregex_iterator it(text.begin(), text.end(), brace), end; it != end; ++it)
        if (!kPlaceholders.count((*it)[1].str()))
            file.fail(node, key, "unknown placeholder {" + (*it)[1].str() +
                                     "}; known: {source} {build} {python} {site_packages} {wheel_dir} {jobs} {cc} {cxx}");
}

std::vector<std::string> checked_strings(const YamlFile& file, const YAML::Node& map, const std::string& key) {
    std::vector<std::string> values = file.strings(map, key);
    for (const auto& value : values) check_placeholders(file, map[key], key, value);
    return values;
}

std::map<std::string, std::string> checked_env(const YamlFile& file, const YAML::Node& map, const std::string& key) {
    std::map<std::string, std::string> env = string_map(file, map, key);
    static const std::regex name("[A-Za-z_][A-Za-z0-9_]*");
    for (const auto& [variable, value] : env) {
        if (!std::regex_match(variable, name))
            file.fail(map[key], key, "'" + variable + "' is not an environment variable name");
        check_placeholders(file, map[key], key, value);
    }
    return env;
}

std::vector<RecipeCommand> commands(const YamlFile& file, const YAML::Node& build, const std::string& key) {
    std::vector<RecipeCommand> out;
    YAML::Node list = build[key];
    if (!list || list.IsNull()) return out;
    if (!list.IsSequence()) file.fail(list, key, "expected a list of {run: [program, args...], env, cwd}");
    for (const auto& item : list) {
        if (!item.IsMap()) file.fail(item, key, "expected a list of {run: [program, args...], env, cwd}");
        file.only_keys(item, {"run", "env", "cwd"});
        RecipeCommand command;
        command.line = node_line(item);
        command.argv = checked_strings(file, item, "run");
        if (command.argv.empty()) file.fail(item, "run", "expected a non-empty command: [program, args...]");
        command.env = checked_env(file, item, "env");
        command.cwd = file.string_or(item, "cwd", "");
        check_placeholders(file, item, "cwd", command.cwd);
        out.push_back(command);
    }
    return out;
}

RecipeModeSettings mode_settings(const YamlFile& file, const YAML::Node& node, const std::string& mode) {
    if (!node.IsMap()) file.fail(node, mode, "expected a mapping with keys cc, cxx, options, link_flags, env");
    file.only_keys(node, {"cc", "cxx", "options", "link_flags", "env"});
    RecipeModeSettings settings;
    settings.line = node_line(node);
    settings.cc = file.string(node, "cc");
    settings.cxx = file.string(node, "cxx");
    settings.options = checked_strings(file, node, "options");
    settings.link_flags = checked_strings(file, node, "link_flags");
    settings.env = checked_env(file, node, "env");
    return settings;
}

void relative_folders(const YamlFile& file, const YAML::Node& build, const std::string& key,
                      std::vector<std::string>& out) {
    out = file.strings(build, key);
    for (const auto& path : out)
        if (!stays_inside(path))
            file.fail(build[key], key, "'" + path + "' is not a relative path inside the checkout");
}

RecipePython python_settings(const YamlFile& file, const YAML::Node& build, const std::string& dir) {
    RecipePython python;
    YAML::Node node = build["python"];
    if (!node || node.IsNull()) return python;
    if (!node.IsMap()) file.fail(node, "python", "expected a mapping with keys python, requirements, packages, install");
    file.only_keys(node, {"python", "requirements", "system_site_packages", "packages", "install"});
    python.line = node_line(node);
    python.python = file.string_or(node, "python", python.python);
    std::string requirements = file.string_or(node, "requirements", "");
    if (!requirements.empty()) python.requirements = resolve(dir, requirements);
    python.system_site_packages = boolean(file, node, "system_site_packages", false);
    python.packages = file.strings(node, "packages");
    if (python.packages.empty())
        file.fail(node, "packages", "expected the Python packages measured, as `import` names them, e.g. [torch]");
    python.install = file.string(node, "install");
    check_placeholders(file, node, "install", python.install);
    return python;
}

}  // namespace

SourceBuild load_source_build(const YamlFile& file, const YAML::Node& build, const std::string& dir) {
    if (!build.IsMap()) file.fail(build, "build", "expected a mapping with keys system, markers, llvm/gcov, ...");
    file.only_keys(build, {"system", "markers", "instrument_paths", "targets", "options", "env", "llvm", "gcov",
                           "before", "after", "python", "objects", "notes_under", "layout_probe", "path_remap"});
    SourceBuild b;
    b.line = node_line(build);
    for (const auto& entry : build) b.key_lines[entry.first.Scalar()] = node_line(entry.first);
    b.system = file.string(build, "system");
    if (b.system != "bazel" && b.system != "cmake" && b.system != "setuptools")
        file.fail(build["system"], "system", "expected bazel, cmake or setuptools, not '" + b.system + "'");
    relative_folders(file, build, "markers", b.markers);
    if (b.markers.empty())
        file.fail(build["markers"] ? build["markers"] : build, "markers",
                  "expected files that only this framework's checkout has, e.g. [tensorflow/BUILD]");
    relative_folders(file, build, "instrument_paths", b.instrument_paths);
    b.targets = checked_strings(file, build, "targets");
    if (b.system == "bazel" && b.targets.empty())
        file.fail(build["targets"] ? build["targets"] : build, "targets", "expected the Bazel targets to build");
    b.options = checked_strings(file, build, "options");
    b.env = checked_env(file, build, "env");
    for (const char* mode : {"llvm", "gcov"})
        if (build[mode]) b.modes[mode] = mode_settings(file, build[mode], mode);
    if (b.modes.empty()) file.fail(build, "build", "expected llvm: or gcov: (the modes the recipe builds, with cc and cxx)");
    b.before = commands(file, build, "before");
    b.after = commands(file, build, "after");
    b.python = python_settings(file, build, dir);
    b.objects = checked_strings(file, build, "objects");
    if (b.objects.empty())
        file.fail(build["objects"] ? build["objects"] : build, "objects",
                  "expected the instrumented objects the build makes (paths or globs, e.g. {site_packages}/torch/lib/*.so)");
    b.notes_under = checked_strings(file, build, "notes_under");
    b.layout_probe = checked_strings(file, build, "layout_probe");
    if (b.modes.count("llvm") && b.layout_probe.empty())
        file.fail(build["layout_probe"] ? build["layout_probe"] : build, "layout_probe",
                  "mode llvm needs a command that loads every object once (e.g. [\"{python}\", -c, import torch])");
    if (YAML::Node remap = build["path_remap"]) {
        if (!remap.IsSequence()) file.fail(remap, "path_remap", "expected a list of {from, to}");
        for (const auto& item : remap) {
            if (!item.IsMap()) file.fail(item, "path_remap", "expected a list of {from, to}");
            file.only_keys(item, {"from", "to"});
            PathRemapRule rule{file.string(item, "from"), file.string(item, "to")};
            check_placeholders(file, item, "from", rule.from);
            check_placeholders(file, item, "to", rule.to);
            b.path_remap.push_back(rule);
        }
    }
    return b;
}

int SourceBuild::line_of(const std::string& key) const {
    auto it = key_lines.find(key);
    return it == key_lines.end() ? line : it->second;
}

}  // namespace dlcov
