#include "source_build.h"

#include "build_recipe.h"
#include "build_steps.h"
#include "compiler.h"
#include "elapsed.h"
#include "error.h"
#include "gcov_tools.h"
#include "profile_merge.h"
#include "python_build.h"
#include "python_layer.h"
#include "process.h"
#include "utc_time.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <ostream>
#include <thread>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::string checkout_of(const FrameworkConfig& config, const std::string& source) {
    if (source.empty())
        throw UserError(config.path + " is a source-build recipe: name the " + config.framework +
                        " checkout with --source DIR");
    fs::path dir = fs::absolute(source).lexically_normal();
    if (!fs::is_directory(dir)) throw UserError("--source " + source + ": no such folder");
    for (const auto& marker : config.build.markers)
        if (!fs::exists(dir / marker))
            config_error(config, config.build.line_of("markers"), "markers",
                         dir.string() + " is not a checkout of " + config.framework + ": it has no " + marker);
    std::string text = dir.string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
}

// The mode's compiler: of the mode's kind, and in mode llvm of the LLVM dlcov reads.
CompilerInfo mode_compiler(const FrameworkConfig& config, const std::string& mode, const std::string& name,
                           const std::string& key) {
    int line = config.build.modes.at(mode).line;
    CompilerInfo info;
    try {
        info = probe_compiler(name, config.dir);
    } catch (const UserError& e) {
        config_error(config, line, key, e.what());
    }
    std::string first_line = info.version.substr(0, info.version.find('\n'));
    if (mode == "llvm" && !info.llvm_major)
        config_error(config, line, key, info.path + " is not clang (mode llvm needs clang); it says: " + first_line);
    if (mode == "llvm" && *info.llvm_major != supported_llvm_major())
        config_error(config, line, key,
                     fmt::format("{} is LLVM {}, but this dlcov reads the raw profiles of LLVM {} only (their "
                                 "format changes between versions): use clang-{}",
                                 info.path, *info.llvm_major, supported_llvm_major(), supported_llvm_major()));
    if (mode == "gcov" && !info.gcc_major)
        config_error(config, line, key, info.path + " is not gcc (mode gcov needs gcc); it says: " + first_line);
    return info;
}

std::string python_version_of(const std::string& python) {
    ProcessSpec spec;
    spec.argv = {python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"};
    ProcessResult result = run_process(spec);
    std::string text = result.output.substr(0, result.output.find('\n'));
    if (result.outcome != ProcessResult::Exited || result.exit_code != 0 || text.empty())
        throw UserError(python + " did not say its version (" + result.describe() + "): " + result.output);
    return text;
}

// dlcov-compile-filter beside the running dlcov; a dry run only names it.
std::string compile_filter_path(bool must_exist) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    fs::path filter = exe.parent_path() / "dlcov-compile-filter";
    if (must_exist && (ec || !fs::exists(filter)))
        throw UserError("dlcov-compile-filter is missing beside " + exe.string() + "; rebuild dlcov");
    return filter.string();
}

std::string slug(const std::string& what) {
    std::string out;
    for (char ch : what) {
        if (std::isalnum(static_cast<unsigned char>(ch))) out += char(std::tolower(static_cast<unsigned char>(ch)));
        else if (!out.empty() && out.back() != '-') out += '-';
        if (out.size() >= 40) break;
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

// CMake's compiler identification and try-compile folders (CMakeFiles/3.25.1, CMakeFiles/CMakeScratch):
// compiled with the build's flags, so with --coverage, but no part of the framework.
bool is_cmake_scratch(const fs::path& folder) {
    if (folder.parent_path().filename() != "CMakeFiles") return false;
    std::string name = folder.filename().string();
    return name == "CMakeScratch" || name == "CMakeTmp" || (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0])));
}

std::vector<std::string> gcov_notes_under(const std::vector<std::string>& folders) {
    std::vector<std::string> notes;
    for (const auto& folder : folders) {
        if (!fs::is_directory(folder)) continue;
        for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied);
             it != fs::recursive_directory_iterator(); ++it) {
            if (it->is_directory() && (it->path().filename() == "venv" || is_cmake_scratch(it->path())))
                it.disable_recursion_pending();
            else if (it->is_regular_file() && it->path().extension() == ".gcno") notes.push_back(it->path().string());
        }
    }
    std::sort(notes.begin(), notes.end());
    notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
    return notes;
}

void print_dry_run(const FrameworkConfig& config, const RecipeContext& c, const std::vector<BuildStep>& steps,
                   const PathRemap& remap, std::ostream& out) {
    out << fmt::format("# dlcov instrument {} --source {} --mode {}: the steps it runs (--dry-run: nothing is run)\n",
                       config.path, c.source, c.mode);
    for (size_t i = 0; i < steps.size(); ++i)
        out << fmt::format("# {}. {}\n{}\n", i + 1, steps[i].what, shell_text(steps[i]));
    out << "# then build.json in " << c.build << ": source_root " << c.source << "; objects:";
    for (const auto& object : config.build.objects) out << " " << expand_placeholders(object, c);
    out << "\n";
    if (c.mode == "gcov") {
        out << "# notes files (.gcno) found under:";
        if (config.build.notes_under.empty()) out << " " << c.build << " " << c.source;
        for (const auto& folder : config.build.notes_under) out << " " << expand_placeholders(folder, c);
        out << "\n";
    }
    for (const auto& [from, to] : remap.rules) out << "# path_remap: " << from << " -> " << to << "\n";
}

}  // namespace

BuildManifest make_source_build(const FrameworkConfig& config, const SourceBuildRequest& request, std::ostream& out) {
    auto start = std::chrono::steady_clock::now();
    const SourceBuild& b = config.build;
    std::string mode = request.mode.empty() ? config.mode : request.mode;
    if (!b.modes.count(mode))
        config_error(config, config.line_of("build"), "build",
                     "the recipe has no " + mode + ": section (it builds " + b.modes.begin()->first +
                         (b.modes.size() > 1 ? " and " + b.modes.rbegin()->first : std::string()) + ")");
    std::string folder = mode == config.mode ? config.name : config.name + "-" + mode;
    if (request.source.empty() && !request.dry_run) {
        // Without a checkout: the build as it was made (a campaign uses it; it is never rebuilt
        // behind the user's back, that takes hours for a real framework).
        fs::path existing = fs::absolute(request.builds_dir).lexically_normal() / folder / "build.json";
        if (!fs::exists(existing))
            throw UserError(config.path + " is a source-build recipe and " + existing.parent_path().string() +
                            " has no build yet: build it with `dlcov instrument " + config.path + " --source DIR" +
                            (mode == config.mode ? "" : " --mode " + mode) + "` (DIR: the " + config.framework +
                            " checkout)");
        BuildManifest manifest = load_manifest(existing.string());
        out << "instrument: using the source build " << existing.parent_path().string() << " (built "
            << manifest.built_at << "; --source DIR builds it again)\n";
        return manifest;
    }
    RecipeContext c;
    c.mode = mode;
    c.source = checkout_of(config, request.source);
    c.build = (fs::absolute(request.builds_dir).lexically_normal() / folder).string();
    CompilerInfo cc = mode_compiler(config, mode, b.modes.at(mode).cc, "cc");
    CompilerInfo cxx = mode_compiler(config, mode, b.modes.at(mode).cxx, "cxx");
    c.cc = cc.path;
    c.cxx = cxx.path;
    c.jobs = request.jobs > 0 ? request.jobs : std::max(1, int(std::thread::hardware_concurrency()));
    try {
        c.base_python = python::program_path(b.python.python);
    } catch (const UserError& e) {
        config_error(config, b.python.line ? b.python.line : b.line, "python", e.what());
    }
    c.python_version = python_version_of(c.base_python);
    c.compile_filter = compile_filter_path(!request.dry_run);
    if (!b.python.requirements.empty() && !fs::is_regular_file(b.python.requirements))
        config_error(config, b.python.line, "requirements", "file " + b.python.requirements + " does not exist");
    if (!fs::is_regular_file(config.component_map))
        config_error(config, config.line_of("component_map"), "component_map",
                     "file " + config.component_map + " does not exist");

    std::vector<BuildStep> steps = recipe_steps(config, c);
    PathRemap remap;
    for (const auto& rule : b.path_remap)
        remap.rules.emplace_back(expand_placeholders(rule.from, c), expand_placeholders(rule.to, c));
    if (request.dry_run) {
        print_dry_run(config, c, steps, remap, out);
        return {};
    }

    fs::path root(c.build), logs = root / "logs";
    try {
        fs::create_directories(logs);
        fs::remove(root / "build.json");  // from here on the old build is no longer true
        fs::remove(logs / "compiles.tsv");
        fs::remove_all(root / "layout-probe");
        fs::create_directories(root / "layout-probe");
    } catch (const fs::filesystem_error& e) {
        throw UserError("cannot prepare " + c.build + ": " + e.what());
    }
    out << fmt::format("instrument: building {} {} from {} in mode {}: {} steps ({} jobs)\n", config.framework,
                       config.version, c.source, mode, steps.size(), c.jobs);
    for (size_t i = 0; i < steps.size(); ++i)
        run_build_step(steps[i], (logs / fmt::format("{:02}-{}.log", i + 1, slug(steps[i].what))).string(),
                       fmt::format("[{}/{}]", i + 1, steps.size()), out);

    BuildManifest manifest;
    for (const auto& pattern : b.objects) {
        std::vector<std::string> found = glob_matches(expand_placeholders(pattern, c));
        if (found.empty())
            config_error(config, config.build.line_of("objects"), "objects",
                         "the build made nothing that matches " + expand_placeholders(pattern, c));
        manifest.objects.insert(manifest.objects.end(), found.begin(), found.end());
    }
    if (mode == "gcov") {
        std::vector<std::string> folders;
        for (const auto& f : b.notes_under) folders.push_back(expand_placeholders(f, c));
        if (folders.empty()) folders = {c.build, c.source};
        manifest.gcov_notes = gcov_notes_under(folders);
        if (manifest.gcov_notes.empty())
            throw UserError("the build wrote no notes files (.gcno) under " + folders.front() +
                            ": were the instrumented paths compiled? see " + (logs / "compiles.tsv").string());
        manifest.gcov = gcov::find_program("gcov-" + std::to_string(*cxx.gcc_major));
    } else {
        std::vector<std::string> profiles = glob_matches(c.build + "/layout-probe/*.profraw");
        if (profiles.empty())
            config_error(config, config.build.line_of("layout_probe"), "layout_probe",
                         "the layout probe wrote no raw profile: does it load the instrumented objects?");
        manifest.layout_profile = (root / "layout.profdata").string();
        MergeResult merged = merge_profiles_zeroed(profiles, manifest.layout_profile);
        if (!merged.skipped.empty())
            throw UserError(merged.skipped.front().path + ": unreadable layout profile: " + merged.skipped.front().reason);
        manifest.llvm_major = *cxx.llvm_major;
    }
    if (!b.python.packages.empty()) manifest.python_layers.push_back(make_python_layer(c.build, b.python.packages, out));
    manifest.name = folder;
    manifest.framework = config.framework;
    manifest.version = config.version;
    manifest.mode = mode;
    manifest.compiler_path = cxx.path;
    manifest.compiler_version = cxx.version;
    manifest.flags = source_build_coverage_flags(c);
    manifest.source_root = c.source;
    manifest.component_map = config.component_map;
    manifest.config = config.path;
    manifest.input_hash = "source-build";  // the build system decides what is up to date
    manifest.built_at = utc_now_iso();
    manifest.dir = c.build;
    manifest.path_remap = remap;
    write_manifest(manifest, (root / "build.json").string());
    out << fmt::format("instrument: built {} in mode {} in {:.0f} s: {} object(s){} ({})\n", folder, mode,
                       seconds_since(start), manifest.objects.size(),
                       mode == "gcov" ? fmt::format(", {} notes files", manifest.gcov_notes.size()) : "",
                       (root / "build.json").string());
    return manifest;
}

}  // namespace dlcov
