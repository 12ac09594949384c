// The contract fixture (tests/fixtures/contract): a program and a shared library sharing a
// header, templates, never-called functions, a switch, exceptions, a macro with a branch, and a
// process that aborts, compiled by the test with dlcov's llvm-mode flags and run five times.
#pragma once
#include <string>
#include <vector>

namespace dlcov::test {

struct ContractFixture {
    std::string dir, program, library;
    std::vector<std::string> profiles;  // raw profiles of all runs, sorted: 5 processes x 2 objects
};

// Built and run once per test binary; one of the runs aborts on an uncaught exception, so
// continuous mode must keep that process's counters.
const ContractFixture& contract_fixture();

}  // namespace dlcov::test
