#include "driver_run.h"

namespace dlcov::tenfuzz {

ExecutorRun run_driver(const GeneratorArgs& args, EventLog& events, const std::string& driver, const std::string& id,
                       const std::string& test_path, const std::string& backend) {
    std::vector<std::string> argv = {driver, "--test", test_path, "--output", execution_output_path(args, id),
                                     "--backend", backend};
    return run_instrumented(args, events, id, argv, test_path, "", backend);
}

}  // namespace dlcov::tenfuzz
