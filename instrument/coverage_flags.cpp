#include "coverage_flags.h"

#include "error.h"

namespace dlcov {

std::vector<std::string> coverage_flags(const std::string& mode) {
    if (mode == "llvm")
        // -fprofile-update=atomic: see coverage_flags.h and README.md ("Atomic counters").
        return {"-fprofile-instr-generate", "-fcoverage-mapping", "-fprofile-update=atomic", "-mllvm",
                "-runtime-counter-relocation"};
    throw UserError("coverage mode '" + mode + "' is not supported yet; supported modes: llvm");
}

}  // namespace dlcov
