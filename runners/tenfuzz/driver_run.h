// Running one API-level test in the instrumented driver (dlcov-tinydnn-api), one process per
// (test, backend), each with its own profile: the pattern of run_executor (generator.h) for the
// driver's command line.
#pragma once
#include "generator.h"

#include <string>

namespace dlcov::tenfuzz {

// Runs `driver --test TEST --output <work>/outputs/<id>.json --backend BACKEND` with
// LLVM_PROFILE_FILE=<profiles>/<id>-%p-%m%c.profraw; logs the execution and any crash,
// timeout, nan or exception finding. The driver's exit codes are the executor's.
ExecutorRun run_driver(const GeneratorArgs& args, EventLog& events, const std::string& driver, const std::string& id,
                       const std::string& test_path, const std::string& backend);

}  // namespace dlcov::tenfuzz
