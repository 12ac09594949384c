#include "framework_config.h"

#include "config_values.h"
#include "source_build_loader.h"
#include "yaml_config.h"

#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

void load_source(const YamlFile& file, FrameworkConfig& config) {
    YAML::Node source = require_map(file, file.root(), "source", "a mapping with keys copy and as");
    file.only_keys(source, {"copy", "as"});
    config.source_copy = resolve(config.dir, file.string(source, "copy"));
    fs::path copy = fs::path(config.source_copy);
    config.source_as = file.string_or(source, "as", copy.filename().string());
    if (!stays_inside(config.source_as))
        file.fail(source["as"] ? source["as"] : source, "as",
                  "expected a relative path inside the build's src/ folder");
}

void load_system_includes(const YamlFile& file, FrameworkConfig& config) {
    YAML::Node list = file.root()["system_includes"];
    if (!list || list.IsNull()) return;
    if (!list.IsSequence()) file.fail(list, "system_includes", "expected a list of {link, to}");
    for (const auto& item : list) {
        if (!item.IsMap()) file.fail(item, "system_includes", "expected a list of {link, to}");
        file.only_keys(item, {"link", "to"});
        SystemInclude include{file.string(item, "link"), resolve(config.dir, file.string(item, "to"))};
        if (!stays_inside(include.link))
            file.fail(item["link"], "link", "expected a relative path inside the build's shim/ folder");
        config.system_includes.push_back(include);
    }
}

void load_targets(const YamlFile& file, FrameworkConfig& config) {
    YAML::Node list = file.root()["targets"];
    if (!list) file.fail(file.root(), "targets", "missing; expected a list of {name, sources}");
    if (!list.IsSequence() || list.size() == 0)
        file.fail(list, "targets", "expected a non-empty list of {name, sources}");
    std::set<std::string> names;
    for (const auto& item : list) {
        if (!item.IsMap()) file.fail(item, "targets", "expected a list of {name, sources}");
        file.only_keys(item, {"name", "sources"});
        BuildTarget target;
        target.line = node_line(item);
        target.name = file.string(item, "name");
        if (!is_plain_name(target.name))
            file.fail(item["name"], "name", "expected a file name of letters, digits, '.', '_', '-'");
        if (!names.insert(target.name).second)
            file.fail(item["name"], "name", "target '" + target.name + "' is defined twice");
        for (const auto& source : file.strings(item, "sources"))
            target.sources.push_back(resolve(config.dir, source));
        if (target.sources.empty())
            file.fail(item["sources"] ? item["sources"] : item, "sources",
                      "expected a non-empty list of source files");
        config.targets.push_back(target);
    }
}

// Python package names as `import` takes them: dotted identifiers.
bool is_package_name(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.back() == '.') return false;
    return name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.") ==
           std::string::npos;
}

// -g0 and its spellings (-ggdb0, ...): no line tables.
bool turns_off_debug_info(const std::string& flag) {
    return flag == "-g0" || flag == "-ggdb0" || flag == "-glldb0" || flag == "-gsce0";
}

// Each mode has its own keys; a key of the other mode is a mistake worth naming.
void config_mode_keys(const YamlFile& file) {
    const YAML::Node& root = file.root();
    std::string mode = file.string_or(root, "mode", "llvm");
    std::vector<std::string> common = {"name", "framework", "version", "component_map", "mode"};
    if ((mode == "llvm" || mode == "gcov") && root["build"]) {
        common.push_back("build");  // the checkout's own build system decides sources and flags
    } else if (mode == "llvm" || mode == "gcov") {
        for (const char* key : {"debian_package", "source", "system_includes", "compiler", "counters", "flags", "targets"})
            common.push_back(key);
    } else if (mode == "sancov") {  // as llvm, without `counters` (the runtime's, README of coverage/sancov/)
        for (const char* key : {"debian_package", "source", "system_includes", "compiler", "flags", "targets"})
            common.push_back(key);
    } else if (mode == "python") {
        common.push_back("environment");
    } else {
        file.fail(root["mode"], "mode", "'" + mode + "' is not a coverage mode; supported: llvm, gcov, sancov, python");
    }
    file.only_keys(root, common);
}

void load_environment(const YamlFile& file, FrameworkConfig& config) {
    YAML::Node env = require_map(file, file.root(), "environment",
                                 "a mapping with keys python, packages and requirements or debian_packages");
    file.only_keys(env, {"python", "system_site_packages", "debian_packages", "requirements", "packages", "tools"});
    PythonEnvironment& e = config.environment;
    e.python = file.string_or(env, "python", "/usr/bin/python3");
    e.system_site_packages = boolean(file, env, "system_site_packages", false);
    std::string debian = file.string_or(env, "debian_packages", "");
    if (!debian.empty()) e.debian_packages = resolve(config.dir, debian);
    std::string requirements = file.string_or(env, "requirements", "");
    if (!requirements.empty()) e.requirements = resolve(config.dir, requirements);
    e.packages = file.strings(env, "packages");
    if (e.packages.empty())
        file.fail(env["packages"] ? env["packages"] : env, "packages",
                  "expected a list of the Python packages measured, as `import` names them, e.g. [torch]");
    for (const auto& package : e.packages)
        if (!is_package_name(package))
            file.fail(env["packages"], "packages", "'" + package + "' is not a Python package name as `import` takes it");
    if (YAML::Node tools = env["tools"]) {
        if (!tools.IsSequence()) file.fail(tools, "tools", "expected a list of {requirements, into}");
        for (const auto& item : tools) {
            if (!item.IsMap()) file.fail(item, "tools", "expected a list of {requirements, into}");
            file.only_keys(item, {"requirements", "into"});
            ToolInstall tool{resolve(config.dir, file.string(item, "requirements")), file.string(item, "into")};
            if (!is_plain_name(tool.into) || tool.into == "venv")
                file.fail(item["into"], "into", "expected a folder name of letters, digits, '.', '_', '-' (not venv)");
            e.tools.push_back(tool);
        }
    }
    if (e.requirements.empty() && !e.system_site_packages)
        file.fail(env, "environment",
                  "nothing would install the package: give requirements, or system_site_packages: true");
}

}  // namespace

FrameworkConfig load_framework_config(const std::string& path) {
    YamlFile file = YamlFile::load(path);
    const YAML::Node& root = file.root();
    config_mode_keys(file);

    FrameworkConfig config;
    config.path = fs::absolute(path).lexically_normal().string();
    config.dir = fs::path(config.path).parent_path().string();
    for (const auto& entry : root) config.key_lines[entry.first.Scalar()] = node_line(entry.first);

    config.name = file.string(root, "name");
    if (!is_plain_name(config.name))
        file.fail(root["name"], "name", "expected a folder name of letters, digits, '.', '_', '-'");
    config.framework = file.string(root, "framework");
    config.version = file.string(root, "version");
    config.component_map = resolve(config.dir, file.string(root, "component_map"));
    config.mode = file.string_or(root, "mode", "llvm");
    if (config.mode == "python") {
        load_environment(file, config);
        return config;
    }
    if (root["build"]) {
        config.source_build = true;
        config.build = load_source_build(file, root["build"], config.dir);
        if (!config.build.modes.count(config.mode))
            file.fail(root["mode"] ? root["mode"] : root["build"], "mode",
                      "the recipe has no " + config.mode + ": section under build:");
        return config;
    }
    config.debian_package = file.string_or(root, "debian_package", "");
    load_source(file, config);
    load_system_includes(file, config);
    config.compiler = file.string(root, "compiler");
    std::string counters = file.string_or(root, "counters", "atomic");
    if (counters != "atomic" && counters != "plain")
        file.fail(root["counters"], "counters", "expected atomic or plain, not '" + counters + "'");
    config.atomic_counters = counters == "atomic";
    config.flags = file.strings(root, "flags");
    if (config.mode == "sancov")
        for (const std::string& flag : config.flags)
            if (turns_off_debug_info(flag))
                file.fail(root["flags"], "flags",
                          "'" + flag + "' turns off the debug information; sancov mode maps blocks to source lines "
                          "through its line tables (the mode adds -g): remove it");
    load_targets(file, config);
    return config;
}

int FrameworkConfig::line_of(const std::string& key) const {
    auto it = key_lines.find(key);
    return it == key_lines.end() ? 1 : it->second;
}

void config_error(const FrameworkConfig& config, int line, const std::string& key,
                  const std::string& message) {
    throw UserError(config.path + ":" + std::to_string(line) + ": key '" + key + "': " + message);
}

}  // namespace dlcov
