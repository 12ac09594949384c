#include "coverage_flags.h"

#include "error.h"

namespace dlcov {

std::vector<std::string> coverage_flags(const std::string& mode, bool atomic) {
    if (mode != "llvm") throw UserError("coverage mode '" + mode + "' is not supported yet; supported modes: llvm");
    std::vector<std::string> flags = {"-fprofile-instr-generate", "-fcoverage-mapping"};
    // -fprofile-update=atomic: see coverage_flags.h and README.md ("Atomic counters").
    if (atomic) flags.push_back("-fprofile-update=atomic");
    flags.insert(flags.end(), {"-mllvm", "-runtime-counter-relocation"});
    return flags;
}

}  // namespace dlcov
