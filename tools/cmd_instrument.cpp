// `dlcov instrument FRAMEWORK.yaml`: build a coverage-instrumented copy of a framework.
#include "commands.h"
#include "instrumenter.h"

#include <iostream>
#include <memory>

namespace dlcov {

void add_instrument_command(CLI::App& app) {
    auto options = std::make_shared<InstrumentOptions>();
    CLI::App* cmd = app.add_subcommand(
        "instrument",
        "Build a coverage-instrumented copy of a framework from its config "
        "(configs/frameworks/*.yaml)");
    cmd->add_option("framework", options->config_path, "Framework config, e.g. configs/frameworks/tinydnn.yaml")
        ->required();
    cmd->add_option("--builds-dir", options->builds_dir, "Folder that holds the builds")
        ->capture_default_str();
    cmd->add_flag("--force", options->force, "Rebuild even when no input changed");
    cmd->add_option("-j,--jobs", options->jobs,
                    "Targets compiled at once; each compile needs 2-4 GB (default: one per core, at most one per 4 GiB)")
        ->check(CLI::Range(1, 64));
    cmd->add_option("--source", options->source_dir,
                    "Source-build recipes (*-src.yaml): the framework checkout to build");
    cmd->add_option("--mode", options->mode, "Source-build recipes: the coverage mode (default: the recipe's)")
        ->check(CLI::IsMember({"llvm", "gcov"}));
    cmd->add_flag("-n,--dry-run", options->dry_run,
                  "Source-build recipes: print every command, folder and environment variable, run nothing");
    cmd->add_flag("-v,--verbose", options->verbose, "Print compiler command lines and warnings");
    cmd->footer(
        "Writes <builds-dir>/<name>/ with src/ (the copied framework sources: the instrumented\n"
        "framework), shim/ (include symlinks), bin/<target> (instrumented executables, compiled\n"
        "with clang -fprofile-instr-generate -fcoverage-mapping in continuous mode) and build.json\n"
        "(the manifest later commands read). Unchanged inputs (config, framework sources, target\n"
        "sources and the headers beside them, compiler, flags) are not rebuilt.\n\n"
        "A source-build recipe (configs/frameworks/*-src.yaml: TensorFlow with Bazel, PyTorch with\n"
        "setup.py, MXNet with CMake) builds the checkout given with --source through the framework's\n"
        "own build system, with the coverage flags on the recipe's instrumented paths only; see\n"
        "`--dry-run` for every step, and instrument/README.md.");
    cmd->callback([options] { instrument(*options, std::cout, std::cerr); });
}

}  // namespace dlcov
