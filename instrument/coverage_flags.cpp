#include "coverage_flags.h"

#include "error.h"
#include "sancov_runtime_path.h"

namespace dlcov {

std::vector<std::string> coverage_flags(const std::string& mode, bool atomic) {
    if (mode == "gcov") {
        // DLCOV_COVERAGE_GCOV lets a program know it may call __gcov_dump (runners/tinydnn does on
        // its signal path): nothing else says that a translation unit is compiled with --coverage.
        std::vector<std::string> flags = {"--coverage", "-DDLCOV_COVERAGE_GCOV=1"};
        if (atomic) flags.push_back("-fprofile-update=atomic");
        return flags;
    }
    if (mode == "sancov") {
        // Edges with guards (a call each: the runtime counts into its file-backed mapping, so a
        // killed process keeps its counts), every block instrumented (no-prune: a block's code
        // then runs from its address to the next block's, which gives the lines it covers), the
        // pc-table that maps guards to addresses, and line tables and inlining for the symbolizer.
        // The runtime archive goes in whole: the objects before it reference its callbacks.
        return {"-fsanitize-coverage=trace-pc-guard,pc-table,no-prune", "-g",
                "-Wl,--whole-archive", sancov::sancov_runtime_path(), "-Wl,--no-whole-archive"};
    }
    if (mode != "llvm") throw UserError("coverage mode '" + mode + "' is not supported yet; supported modes: llvm, gcov, sancov");
    std::vector<std::string> flags = {"-fprofile-instr-generate", "-fcoverage-mapping"};
    // -fprofile-update=atomic: see coverage_flags.h and README.md ("Atomic counters").
    if (atomic) flags.push_back("-fprofile-update=atomic");
    flags.insert(flags.end(), {"-mllvm", "-runtime-counter-relocation"});
    return flags;
}

}  // namespace dlcov
