#include "python_build.h"

#include "debian_package.h"
#include "elapsed.h"
#include "error.h"
#include "input_hash.h"
#include "process.h"
#include "python_layer.h"
#include "utc_time.h"

#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <ostream>
#include <sstream>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace dlcov {

namespace {

struct PythonBuildPaths {
    fs::path root, venv, python, environment_stamp, freeze, layout, manifest;

    explicit PythonBuildPaths(const fs::path& build_root)
        : root(build_root),
          venv(build_root / "venv"),
          python(build_root / "venv" / "bin" / "python"),
          environment_stamp(build_root / "venv" / "dlcov-environment"),
          freeze(build_root / "environment.txt"),
          layout(build_root / "python-layout.json"),
          manifest(build_root / "build.json") {}
};

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    return text;
}

// The last lines of a long output (pip's): the error is at the end.
std::string tail_lines(const std::string& text, size_t lines) {
    size_t pos = text.size();
    for (size_t n = 0; n <= lines && pos != std::string::npos && pos > 0; ++n) pos = text.rfind('\n', pos - 1);
    return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

ProcessResult run_step(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    ProcessSpec spec;
    spec.argv = argv;
    spec.timeout = timeout;
    spec.output_cap = size_t(4) << 20;
    spec.own_process_group = false;  // Ctrl-C stops pip with dlcov
    // The hook must not measure the build's own steps (a data file per pip process).
    spec.env["DLCOV_PYTHON_COVERAGE_DIR"] = "";
    spec.env["COVERAGE_PROCESS_START"] = "";
    return run_process(spec);
}

// Runs a short query; its output, trimmed. UserError with what it printed when it fails.
std::string query(const std::vector<std::string>& argv, const std::string& what) {
    ProcessResult r = run_step(argv, std::chrono::minutes(2));
    if (r.outcome != ProcessResult::Exited || r.exit_code != 0)
        throw UserError(fmt::format("{} failed ({}): {}\n{}", what, r.describe(), command_line(argv), r.output));
    return trimmed(r.output);
}

// "package=version" lines of a pins file must be installed at exactly that version.
void check_debian_pins(const FrameworkConfig& config) {
    const std::string& pins = config.environment.debian_packages;
    if (pins.empty()) return;
    std::istringstream lines(file_bytes(pins));
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        line = trimmed(line.substr(0, line.find('#')));
        if (line.empty()) continue;
        size_t eq = line.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == line.size())
            throw UserError(fmt::format("{}:{}: expected 'package=version', got '{}'", pins, number, line));
        std::string package = line.substr(0, eq), wanted = line.substr(eq + 1);
        std::optional<std::string> installed = installed_debian_version(package);
        if (!installed)
            throw UserError(fmt::format("{}:{}: Debian package {} is not installed; run tools/install-deps "
                                        "(or apt-get install {}={})",
                                        pins, number, package, package, wanted));
        if (*installed != wanted)
            throw UserError(fmt::format("{}:{}: Debian package {} is installed at version {}, the pin is {}",
                                        pins, number, package, *installed, wanted));
    }
}

// Everything the environment is made from: when it is unchanged the venv is reused as it is.
std::string environment_hash(const FrameworkConfig& config, const std::string& base_python,
                             const std::string& base_version) {
    const PythonEnvironment& e = config.environment;
    Fnv1a64 hash;
    hash.add_field(base_python);
    hash.add_field(base_version);
    hash.add_field(e.system_site_packages ? "system-site-packages" : "isolated");
    hash.add_field(e.debian_packages.empty() ? "" : file_bytes(e.debian_packages));
    hash.add_field(e.requirements.empty() ? "" : file_bytes(e.requirements));
    for (const auto& tool : e.tools) {
        hash.add_field(tool.into);
        hash.add_field(file_bytes(tool.requirements));
    }
    return "fnv1a64:" + hash.hex();
}

std::string stamp_of(const PythonBuildPaths& paths) {
    std::ifstream in(paths.environment_stamp);
    std::string stamp;
    std::getline(in, stamp);
    return stamp;
}

void pip_install(const PythonBuildPaths& paths, const std::vector<std::string>& arguments,
                          const std::string& requirements, bool verbose, std::ostream& out) {
    std::vector<std::string> pip = {paths.python.string(), "-m", "pip", "install", "--no-input",
                                    "--disable-pip-version-check", "--progress-bar", "off"};
    pip.insert(pip.end(), arguments.begin(), arguments.end());
    pip.insert(pip.end(), {"-r", requirements});
    if (verbose) out << "  " << command_line(pip) << "\n";
    auto start = Clock::now();
    ProcessResult installed = run_step(pip, std::chrono::minutes(45));
    if (installed.outcome != ProcessResult::Exited || installed.exit_code != 0) {
        fs::remove_all(paths.venv);  // half an environment is not reused next time
        throw UserError(fmt::format("{}:1: pip could not install these requirements ({}); is PyPI reachable? "
                                    "pip said:\n{}",
                                    requirements, installed.describe(), tail_lines(installed.output, 25)));
    }
    out << fmt::format("instrument: installed in {:.0f} s\n", seconds_since(start));
}

// A tester's packages, beside the environment: --no-deps, since a tool's own requirements may
// name a framework wheel (NNSmith's extras: PyPI's torch with CUDA) the environment already has.
void install_tool(const PythonBuildPaths& paths, const ToolInstall& tool, bool verbose, std::ostream& out) {
    fs::path target = paths.root / tool.into;
    fs::remove_all(target);
    out << "instrument: installing " << tool.requirements << " into " << target.string() << "\n" << std::flush;
    pip_install(paths, {"--no-deps", "--target", target.string()}, tool.requirements, verbose, out);
}

void make_environment(const FrameworkConfig& config, const PythonBuildPaths& paths, const std::string& base_python,
                      const std::string& env_hash, bool verbose, std::ostream& out) {
    const PythonEnvironment& e = config.environment;
    fs::remove_all(paths.venv);
    std::vector<std::string> venv = {base_python, "-m", "venv"};
    if (e.system_site_packages) venv.push_back("--system-site-packages");
    if (e.requirements.empty() && e.tools.empty()) venv.push_back("--without-pip");  // nothing to install with it
    venv.push_back(paths.venv.string());
    out << "instrument: creating the environment " << paths.venv.string() << "\n" << std::flush;
    ProcessResult made = run_step(venv, std::chrono::minutes(5));
    if (made.outcome != ProcessResult::Exited || made.exit_code != 0)
        throw UserError(fmt::format("creating the environment failed ({}): {}\n{}{}", made.describe(),
                                    command_line(venv), made.output,
                                    made.output.find("ensurepip") != std::string::npos
                                        ? "Debian needs python3-venv for this: run tools/install-deps\n"
                                        : ""));
    if (!e.requirements.empty()) {
        out << "instrument: installing " << e.requirements
            << " with pip (from PyPI; about 2 minutes for TensorFlow)\n" << std::flush;
        pip_install(paths, {}, e.requirements, verbose, out);
    }
    for (const auto& tool : e.tools) install_tool(paths, tool, verbose, out);
    std::ofstream(paths.environment_stamp) << env_hash << "\n";
}

// The folder of the measured package, found the way `import` finds it, without importing it.
std::string package_root(const PythonBuildPaths& paths, const std::string& package) {
    std::string root = query({paths.python.string(), "-c",
                              "import importlib.util, sys\n"
                              "s = importlib.util.find_spec(sys.argv[1])\n"
                              "print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')",
                              package},
                             "finding package " + package);
    if (root.empty())
        throw UserError("the environment " + paths.venv.string() + " has no package '" + package +
                        "' (is it in the requirements, or installed for the base interpreter?)");
    return fs::path(root).lexically_normal().string();
}

// The installed version of the distribution that provides `package` (tensorflow-cpu for
// tensorflow), and every distribution==version of the environment, one a line.
std::pair<std::string, std::string> installed_versions(const PythonBuildPaths& paths, const std::string& package) {
    std::string text = query({paths.python.string(), "-c",
                              "import importlib.metadata as m, sys\n"
                              "dists = m.packages_distributions().get(sys.argv[1], [])\n"
                              "print(m.version(dists[0]) if dists else '')\n"
                              "print('\\n'.join(sorted({'%s==%s' % (d.metadata['Name'], d.version)"
                              " for d in m.distributions()}, key=str.lower)))",
                              package},
                             "listing the environment's packages");
    size_t newline = text.find('\n');
    return {text.substr(0, newline), newline == std::string::npos ? "" : text.substr(newline + 1) + "\n"};
}

std::string python_build_hash(const FrameworkConfig& config, const std::string& env_hash) {
    Fnv1a64 hash;
    hash.add_field(env_hash);
    hash.add_field(file_bytes(config.path));
    hash.add_field(file_bytes(python::python_helper("python_layout.py")));
    hash.add_field(file_bytes(python::python_helper("dlcov_coverage_hook.py")));
    return "fnv1a64:" + hash.hex();
}

// The folder the packages are installed in: component maps name files from it (torch/nn/...).
std::string manifest_source_root(const PythonLayerManifest& layer) {
    return fs::path(layer.package_root).parent_path().string();
}

bool reusable(const PythonBuildPaths& paths, const std::string& hash) {
    if (!fs::exists(paths.manifest) || !fs::exists(paths.python)) return false;
    try {
        BuildManifest old = load_manifest(paths.manifest.string());
        if (old.input_hash != hash || old.python_layers.size() != 1) return false;
        return fs::exists(old.python_layers[0].layout) && fs::is_directory(old.python_layers[0].package_root);
    } catch (const UserError&) {
        return false;
    }
}

}  // namespace

PythonLayerManifest make_python_layer(const std::string& build_root, const std::vector<std::string>& packages,
                                      std::ostream& out) {
    PythonBuildPaths paths{fs::path(build_root)};
    PythonLayerManifest layer;
    layer.interpreter = paths.python.string();
    layer.package = packages.front();
    for (const auto& package : packages) layer.package_roots.push_back(package_root(paths, package));
    layer.package_root = layer.package_roots.front();
    for (const auto& root : layer.package_roots)
        if (fs::path(root).parent_path() != fs::path(layer.package_root).parent_path())
            throw UserError("the measured packages must be installed in one folder; " + root + " is not beside " +
                            layer.package_root);
    auto [version, freeze] = installed_versions(paths, layer.package);
    layer.package_version = version;
    std::ofstream(paths.freeze) << freeze;
    layer.environment = paths.freeze.string();
    layer.coverage_version = python::coverage_py_version(layer.interpreter);

    std::string site = query({layer.interpreter, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"},
                             "finding the environment's site-packages");
    std::vector<std::string> hook = {layer.interpreter, python::python_helper("dlcov_coverage_hook.py"), "install",
                                     "--site-packages", site};
    for (const auto& root : layer.package_roots) hook.insert(hook.end(), {"--source", root});
    query(hook, "installing dlcov's coverage hook");

    out << "instrument: computing the Python layout of " << fmt::format("{}", fmt::join(packages, ", ")) << " in "
        << manifest_source_root(layer) << " (about 10 s for PyTorch, a minute for TensorFlow)\n" << std::flush;
    auto layout_start = Clock::now();
    layer.layout = paths.layout.string();
    python::compute_python_layout(layer.interpreter, layer.package_roots, layer.layout);
    out << fmt::format("instrument: layout written in {:.0f} s ({})\n",
                       seconds_since(layout_start), layer.layout);

    return layer;
}

BuildManifest make_python_build(const FrameworkConfig& config, const std::string& build_dir, bool force,
                                bool verbose, std::ostream& out) {
    auto start = Clock::now();
    const PythonEnvironment& e = config.environment;
    if (!fs::is_regular_file(config.component_map))
        config_error(config, config.line_of("component_map"), "component_map",
                     "file " + config.component_map + " does not exist");
    std::vector<std::string> pins_files = {e.debian_packages, e.requirements};
    for (const auto& tool : e.tools) pins_files.push_back(tool.requirements);
    for (const std::string& pins : pins_files)
        if (!pins.empty() && !fs::is_regular_file(pins))
            config_error(config, config.line_of("environment"), "environment", "file " + pins + " does not exist");
    check_debian_pins(config);
    std::string base_python;
    try {
        base_python = python::program_path(e.python);
    } catch (const UserError& error) {
        config_error(config, config.line_of("environment"), "python", error.what());
    }
    if (access(base_python.c_str(), X_OK) != 0)
        config_error(config, config.line_of("environment"), "python", base_python + " is not an executable");
    std::string base_version = query({base_python, "-VV"}, "asking " + base_python + " its version");

    PythonBuildPaths paths(fs::absolute(build_dir).lexically_normal());
    std::string env_hash = environment_hash(config, base_python, base_version);
    std::string hash = python_build_hash(config, env_hash);
    if (!force && reusable(paths, hash)) {
        out << "instrument: " << config.name << " is up to date (" << paths.root.string() << ")\n";
        return load_manifest(paths.manifest.string());
    }

    try {
        fs::create_directories(paths.root);
        fs::remove(paths.manifest);  // from here on the old build is no longer true
    } catch (const fs::filesystem_error& error) {
        throw UserError("cannot prepare " + paths.root.string() + ": " + error.what());
    }
    if (force || stamp_of(paths) != env_hash || !fs::exists(paths.python))
        make_environment(config, paths, base_python, env_hash, verbose, out);
    else
        out << "instrument: the environment " << paths.venv.string() << " is up to date\n";

    PythonLayerManifest layer;
    try {
        layer = make_python_layer(paths.root.string(), e.packages, out);
    } catch (const UserError& error) {
        if (std::string(error.what()).find("must be installed in one folder") == std::string::npos) throw;
        config_error(config, config.line_of("environment"), "packages", error.what());
    }
    BuildManifest manifest;
    manifest.name = config.name;
    manifest.framework = config.framework;
    manifest.version = config.version;
    manifest.mode = "python";
    manifest.source_root = manifest_source_root(layer);
    manifest.component_map = config.component_map;
    manifest.config = config.path;
    manifest.input_hash = hash;
    manifest.built_at = utc_now_iso();
    manifest.python_layers.push_back(layer);
    manifest.dir = paths.root.string();
    write_manifest(manifest, paths.manifest.string());
    out << fmt::format("instrument: built {} ({} {}, coverage.py {}) in {:.1f} s ({})\n", config.name, layer.package,
                       layer.package_version, layer.coverage_version,
                       seconds_since(start), paths.manifest.string());
    return manifest;
}

}  // namespace dlcov
