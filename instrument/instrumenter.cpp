#include "instrumenter.h"

#include "compiler.h"
#include "elapsed.h"
#include "coverage_flags.h"
#include "debian_package.h"
#include "error.h"
#include "framework_config.h"
#include "gcov_tools.h"
#include "input_hash.h"
#include "layout_profile.h"
#include "process.h"
#include "python_build.h"
#include "sancov_layer.h"
#include "source_build.h"
#include "utc_time.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <mutex>
#include <unistd.h>
#include <ostream>
#include <thread>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace dlcov {

namespace {

// A translation unit that includes all of a framework this big (tiny-dnn: 1.2 MB of headers,
// ~85 s at -O1 with coverage on 2 cores) is slow enough to warn about.
constexpr std::uintmax_t kSlowFrameworkBytes = 256 * 1024;

struct BuildPaths {
    fs::path root, src, shim, bin, manifest, layout_profile;
};

void check_debian_package(const FrameworkConfig& config) {
    if (config.debian_package.empty() || !fs::exists("/usr/bin/dpkg-query")) return;
    if (!installed_debian_version(config.debian_package))
        config_error(config, config.line_of("debian_package"), "debian_package",
                     "Debian package '" + config.debian_package + "' is not installed; run tools/install-deps");
}

// Everything the config points at must exist before anything is deleted or compiled.
void check_inputs(const FrameworkConfig& config) {
    check_debian_package(config);
    if (!fs::is_directory(config.source_copy))
        config_error(config, config.line_of("source"), "copy",
                     "source folder " + config.source_copy + " does not exist");
    for (const auto& include : config.system_includes)
        if (!fs::is_directory(include.to))
            config_error(config, config.line_of("system_includes"), "to",
                         "include folder " + include.to + " does not exist");
    if (!fs::is_regular_file(config.component_map))
        config_error(config, config.line_of("component_map"), "component_map",
                     "file " + config.component_map + " does not exist");
    for (const auto& target : config.targets)
        for (const auto& source : target.sources)
            if (!fs::is_regular_file(source))
                config_error(config, target.line, "sources",
                             "target '" + target.name + "': source file " + source + " does not exist");
}

// One compile per core, as long as each has about 4 GiB of memory (tiny-dnn's one translation
// unit peaks at 2-3 GB).
int default_compile_jobs() {
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
    double gib = pages > 0 && page_size > 0 ? double(pages) * double(page_size) / double(1ull << 30) : 4;
    int by_memory = std::max(1, int(gib / 4));
    int cores = std::max(1, int(std::thread::hardware_concurrency()));
    return std::min(cores, by_memory);
}

// Why the existing build cannot be reused, or "" when it can.
std::string reason_to_rebuild(const BuildPaths& paths, const std::string& hash) {
    if (!fs::exists(paths.manifest)) return "no build.json yet";
    BuildManifest old;
    try {
        old = load_manifest(paths.manifest.string());
    } catch (const UserError& e) {
        return std::string("unreadable build.json: ") + e.what();
    }
    if (old.input_hash != hash) return "inputs changed";
    for (const auto& object : old.objects)
        if (!fs::exists(object)) return object + " is missing";
    for (const auto& notes : old.gcov_notes)
        if (!fs::exists(notes)) return notes + " is missing";
    return "";
}

void copy_sources(const FrameworkConfig& config, const BuildPaths& paths) {
    fs::remove_all(paths.src);
    fs::path destination = paths.src / config.source_as;
    fs::create_directories(destination.parent_path());
    fs::copy(config.source_copy, destination, fs::copy_options::recursive);
}

// gcc's `tool`-N (gcov-12, gcov-tool-12) as an absolute path; UserError when it is not installed.
std::string find_gcc_tool(const std::string& tool, int gcc_major) {
    std::string name = tool + "-" + std::to_string(gcc_major);
    try {
        return gcov::find_program(name);
    } catch (const UserError&) {
        throw UserError(name + " is not installed (it comes with gcc-" + std::to_string(gcc_major) +
                        "; run tools/install-deps)");
    }
}

void make_shim(const FrameworkConfig& config, const BuildPaths& paths) {
    fs::remove_all(paths.shim);
    fs::create_directories(paths.shim);
    for (const auto& include : config.system_includes) {
        fs::path link = paths.shim / include.link;
        fs::create_directories(link.parent_path());
        fs::create_directory_symlink(include.to, link);
    }
}

std::uintmax_t folder_bytes(const fs::path& root) {
    std::uintmax_t total = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.is_regular_file()) total += entry.file_size();
    return total;
}

struct CompileJob {
    std::string target;
    std::vector<std::string> argv;
    ProcessResult result;
    double seconds = 0;
};

// A compile runs as long as it takes, stays in dlcov's process group (so Ctrl-C stops it with
// dlcov), and keeps the whole output of a failing compile: its errors are what the user needs,
// and template errors run to megabytes. The generous cap only stops a runaway compiler from
// filling memory.
ProcessResult run_compiler(const std::vector<std::string>& argv) {
    ProcessSpec spec;
    spec.argv = argv;
    spec.timeout = std::nullopt;
    spec.output_cap = size_t(64) << 20;
    spec.own_process_group = false;
    return run_process(spec);
}

std::string compiler_output(const ProcessResult& result) {
    if (!result.output_dropped) return result.output;
    return result.output + fmt::format("\n[{} more bytes of compiler output dropped]\n", result.output_dropped);
}

// Runs the jobs, `jobs` at a time; after a failure no new job starts. Returns the failed targets.
std::vector<std::string> run_compiles(std::vector<CompileJob>& compiles, int jobs,
                                      const std::string& slow_hint, bool verbose, std::ostream& out,
                                      std::ostream& err) {
    std::mutex print;
    std::atomic<size_t> next{0};
    std::vector<std::string> failed;
    auto worker = [&] {
        for (size_t i = next++; i < compiles.size(); i = next++) {
            CompileJob& job = compiles[i];
            {
                std::lock_guard<std::mutex> lock(print);
                if (!failed.empty()) return;
                out << fmt::format("instrument: compiling {} ({}/{}){}\n", job.target, i + 1,
                                   compiles.size(), slow_hint);
                if (verbose) out << "  " << command_line(job.argv) << "\n";
                out.flush();
            }
            auto start = Clock::now();
            try {
                job.result = run_compiler(job.argv);
            } catch (const std::exception& e) {
                job.result = ProcessResult{};
                job.result.exit_code = 127;  // as a shell says for a command it cannot run
                job.result.output = std::string(e.what()) + "\n";
            }
            job.seconds = seconds_since(start);
            std::lock_guard<std::mutex> lock(print);
            const int exit_code = job.result.shell_exit_code();
            if (exit_code != 0) {
                failed.push_back(job.target);
                std::string why = exit_code == 137
                                      ? " (killed: out of memory? try --jobs 1)"
                                      : "";
                err << fmt::format("instrument: compiling {} failed (exit {}){} after {:.1f} s:\n  {}\n{}",
                                   job.target, exit_code, why, job.seconds,
                                   command_line(job.argv), compiler_output(job.result));
                err.flush();
                continue;
            }
            out << fmt::format("instrument: built {} in {:.1f} s\n", job.target, job.seconds);
            if (!job.result.output.empty()) {
                if (verbose) out << compiler_output(job.result);
                else out << "instrument: the compiler printed warnings for " << job.target
                         << " (--verbose shows them)\n";
            }
            out.flush();
        }
    };
    std::vector<std::thread> threads;
    size_t thread_count = std::clamp<size_t>(jobs, 1, compiles.size());
    for (size_t t = 0; t < thread_count; ++t) threads.emplace_back(worker);
    for (auto& thread : threads) thread.join();
    return failed;
}

}  // namespace

BuildManifest instrument(const InstrumentOptions& options, std::ostream& out, std::ostream& err) {
    auto start = Clock::now();
    FrameworkConfig config = load_framework_config(options.config_path);
    if (config.source_build)
        return make_source_build(config, {options.source_dir, options.mode, options.builds_dir, options.dry_run, options.jobs},
                                 out);
    if (!options.source_dir.empty() || !options.mode.empty() || options.dry_run)
        throw UserError(config.path + " builds from " + (config.mode == "python" ? "pip pins" : "its own target list") +
                        ": --source, --mode and --dry-run are for source-build recipes (a build: section, e.g. "
                        "configs/frameworks/pytorch-src.yaml)");
    if (config.mode == "python")
        return make_python_build(config, (fs::absolute(options.builds_dir).lexically_normal() / config.name).string(),
                                 options.force, options.verbose, out);
    check_inputs(config);
    CompilerInfo compiler = probe_compiler(config.compiler, config.dir);
    const bool gcov = config.mode == "gcov";
    if (!gcov && !compiler.llvm_major)
        config_error(config, config.line_of("compiler"), "compiler",
                     compiler.path + " is not clang (modes llvm and sancov need clang); it says: " +
                         compiler.version.substr(0, compiler.version.find('\n')));
    if (gcov && !compiler.gcc_major)
        config_error(config, config.line_of("compiler"), "compiler",
                     compiler.path + " is not gcc (mode gcov needs gcc, e.g. g++-12); it says: " +
                         compiler.version.substr(0, compiler.version.find('\n')));

    BuildPaths paths;
    paths.root = fs::absolute(options.builds_dir).lexically_normal() / config.name;
    paths.src = paths.root / "src";
    paths.shim = paths.root / "shim";
    paths.bin = paths.root / "bin";
    paths.manifest = paths.root / "build.json";
    paths.layout_profile = paths.root / "layout.profdata";

    // The framework copy comes first on the include path so it wins over any installed copy.
    // sancov's flags come after the config's: its -g must win over any debug flag before it
    // (the layer maps blocks to lines through the line tables; load_framework_config refuses -g0).
    const bool coverage_flags_last = config.mode == "sancov";
    std::vector<std::string> flags;
    if (!coverage_flags_last) flags = coverage_flags(config.mode, config.atomic_counters);
    for (const std::string& flag : {std::string("-I"), paths.src.string(), std::string("-isystem"),
                                    paths.shim.string()})
        flags.push_back(flag);
    flags.insert(flags.end(), config.flags.begin(), config.flags.end());
    if (coverage_flags_last) {
        std::vector<std::string> mode_flags = coverage_flags(config.mode, config.atomic_counters);
        flags.insert(flags.end(), mode_flags.begin(), mode_flags.end());
    }

    std::string hash = input_hash(config, compiler.path, compiler.version, flags);
    std::string reason = options.force ? "--force" : reason_to_rebuild(paths, hash);
    if (reason.empty()) {
        BuildManifest manifest = load_manifest(paths.manifest.string());
        if (manifest.mode == "llvm" && (manifest.layout_profile.empty() || !fs::exists(manifest.layout_profile))) {
            // A build from before layout profiles: add one instead of recompiling.
            manifest.layout_profile = paths.layout_profile.string();
            write_layout_profile(manifest.objects, manifest.layout_profile, out);
            write_manifest(manifest, paths.manifest.string());
        }
        out << "instrument: " << config.name << " is up to date (" << paths.root.string() << ")\n";
        return manifest;
    }
    if (options.verbose) out << "instrument: rebuilding " << config.name << ": " << reason << "\n";

    // From here on the old build is no longer true: its manifest goes first.
    try {
        fs::create_directories(paths.root);
        fs::remove(paths.manifest);
        copy_sources(config, paths);
        make_shim(config, paths);
        fs::remove_all(paths.bin);  // no executables of removed targets or failed compiles linger
        fs::create_directories(paths.bin);
    } catch (const fs::filesystem_error& e) {
        throw UserError("cannot prepare " + paths.root.string() + ": " + e.what());
    }

    BuildManifest manifest;
    std::vector<CompileJob> compiles;
    for (const auto& target : config.targets) {
        std::string object = (paths.bin / target.name).string();
        CompileJob job{target.name, {compiler.path}, {}, 0};
        job.argv.insert(job.argv.end(), flags.begin(), flags.end());
        job.argv.insert(job.argv.end(), target.sources.begin(), target.sources.end());
        job.argv.insert(job.argv.end(), {"-o", object});
        compiles.push_back(job);
        manifest.objects.push_back(object);
        manifest.targets[target.name] = object;
    }
    std::string slow_hint = folder_bytes(config.source_copy) >= kSlowFrameworkBytes
                                ? ", takes ~1-2 min on 2 cores"
                                : "";
    std::vector<std::string> failed =
        run_compiles(compiles, options.jobs > 0 ? options.jobs : default_compile_jobs(), slow_hint, options.verbose, out, err);
    if (!failed.empty())
        throw UserError(fmt::format("{}: {} failed to compile (compiler output above); "
                                    "no build.json written",
                                    config.name, fmt::join(failed, ", ")));

    if (gcov) {
        // gcc writes a notes file per source next to the executable: <target>-<source stem>.gcno.
        for (const auto& target : config.targets)
            for (const auto& source : target.sources) {
                fs::path notes = paths.bin / (target.name + "-" + fs::path(source).stem().string() + ".gcno");
                if (!fs::is_regular_file(notes))
                    throw UserError(config.name + ": gcc wrote no notes file " + notes.string() + " for " + source);
                manifest.gcov_notes.push_back(notes.string());
            }
        // The gcov of the same gcc reads them (installed with it: gcc-N).
        manifest.gcov = find_gcc_tool("gcov", *compiler.gcc_major);
    } else {
        if (config.mode == "llvm") {
            manifest.layout_profile = paths.layout_profile.string();
            write_layout_profile(manifest.objects, manifest.layout_profile, out);
        } else if (config.mode == "sancov") {
            // A sancov build's layout comes from its binaries alone (coverage/sancov/sancov_layer.h):
            // made here once into the build folder's cache, so the first measurement does not pay
            // for it, and a binary the mode cannot read is named now, before any build.json.
            std::string cache = sancov::sancov_layout_cache_path(paths.root.string());
            sancov::SancovLayer layer(manifest.objects, paths.src.string(), cache);
            // Identical binaries (a deterministic rebuild) keep the cache that fits them.
            out << fmt::format("instrument: {} the sancov layout of {} object(s) ({})\n",
                               layer.layout_from_cache() ? "the cache already holds" : "cached", manifest.objects.size(),
                               fs::exists(cache) ? cache : std::string("not written: the folder is not writable"));
        }
        manifest.llvm_major = *compiler.llvm_major;
    }
    manifest.name = config.name;
    manifest.framework = config.framework;
    manifest.version = config.version;
    manifest.mode = config.mode;
    manifest.compiler_path = compiler.path;
    manifest.compiler_version = compiler.version;
    manifest.flags = flags;
    manifest.source_root = paths.src.string();
    manifest.component_map = config.component_map;
    manifest.config = config.path;
    manifest.input_hash = hash;
    manifest.built_at = utc_now_iso();
    write_manifest(manifest, paths.manifest.string());
    out << fmt::format("instrument: built {} in {:.1f} s ({})\n", config.name, seconds_since(start),
                       paths.manifest.string());
    return manifest;
}

}  // namespace dlcov
