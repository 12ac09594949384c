#include "coverage_flags.h"

#include "error.h"

namespace dlcov {

std::vector<std::string> coverage_flags(const std::string& mode, bool atomic) {
    if (mode == "gcov") {
        // DLCOV_COVERAGE_GCOV lets a program know it may call __gcov_dump (runners/tinydnn does on
        // its signal path): nothing else says that a translation unit is compiled with --coverage.
        std::vector<std::string> flags = {"--coverage", "-DDLCOV_COVERAGE_GCOV=1"};
        if (atomic) flags.push_back("-fprofile-update=atomic");
        return flags;
    }
    if (mode != "llvm") throw UserError("coverage mode '" + mode + "' is not supported yet; supported modes: llvm, gcov");
    std::vector<std::string> flags = {"-fprofile-instr-generate", "-fcoverage-mapping"};
    // -fprofile-update=atomic: see coverage_flags.h and README.md ("Atomic counters").
    if (atomic) flags.push_back("-fprofile-update=atomic");
    flags.insert(flags.end(), {"-mllvm", "-runtime-counter-relocation"});
    return flags;
}

}  // namespace dlcov
