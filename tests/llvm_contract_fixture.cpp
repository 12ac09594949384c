#include "llvm_contract_fixture.h"

#include "profile_merge.h"
#include "test_support.h"

#include <stdexcept>

namespace dlcov::test {

const ContractFixture& contract_fixture() {
    static ContractFixture f = [] {
        ContractFixture x;
        x.dir = scratch_dir("contract");
        std::string src = std::string(DLCOV_SOURCE_DIR) + "/tests/fixtures/contract";
        std::string flags = "-O0 -fprofile-instr-generate -fcoverage-mapping -mllvm -runtime-counter-relocation";
        x.library = x.dir + "/libfixture.so";
        x.program = x.dir + "/fixture";
        auto lib = run_command("clang++-14 " + flags + " -fPIC -shared " + src + "/library.cpp -o " + x.library);
        if (lib.exit_code != 0) throw std::runtime_error(lib.output);
        auto exe = run_command("clang++-14 " + flags + " " + src + "/main.cpp -o " + x.program + " " + x.library +
                               " -Wl,-rpath," + x.dir);
        if (exe.exit_code != 0) throw std::runtime_error(exe.output);
        for (int mode : {0, 1, 3, 7, 250})
            run_command("LLVM_PROFILE_FILE=" + x.dir + "/profiles/%c%p-%m.profraw " + x.program + " " +
                        std::to_string(mode));
        x.profiles = expand_profile_paths({x.dir + "/profiles"});
        return x;
    }();
    return f;
}

}  // namespace dlcov::test
