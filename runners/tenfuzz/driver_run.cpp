#include "driver_run.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov::tenfuzz {

ExecutorRun run_driver(const GeneratorArgs& args, EventLog& events, const std::string& driver, const std::string& id,
                       const std::string& test_path, const std::string& backend) {
    ExecutorRun run;
    fs::create_directories(fs::path(args.work_dir) / "outputs");
    run.output_path = (fs::path(args.work_dir) / "outputs" / (id + ".json")).string();
    ExecutionSpec spec;
    spec.argv = {driver, "--test", test_path, "--output", run.output_path, "--backend", backend};
    spec.env["LLVM_PROFILE_FILE"] = args.profiles_dir + "/" + id + "-%p-%m%c.profraw";
    spec.timeout = args.timeout;
    run.result = execute(spec);
    events.execution(id, trial_relative(args, test_path), backend, run.result);

    const ExecutionResult& r = run.result;
    const bool exited = r.outcome == ExecutionResult::Exited;
    if (exited && (r.exit_code == kExecutorOk || r.exit_code == kExecutorNaN)) run.output = read_model_output(run.output_path);
    if (exited && (r.exit_code == kExecutorOk || r.exit_code == kExecutorUnusableInput)) return run;

    Finding f;
    f.artifact = trial_relative(args, test_path);
    f.backends = backend;
    f.replay = driver + " --test " + test_path + " --output /tmp/replay-output.json --backend " + backend;
    const std::string first_line = r.output.substr(0, r.output.find('\n'));
    if (exited && r.exit_code == kExecutorNaN) {
        f.kind = "nan";
        f.detail = "NaN or Inf in the output";
    } else if (exited && r.exit_code == kExecutorException) {
        f.kind = "exception";
        f.detail = "tiny-dnn threw: " + first_line;
    } else {
        f.kind = r.outcome == ExecutionResult::TimedOut ? "timeout" : "crash";
        f.detail = r.describe() + (first_line.empty() ? "" : ": " + first_line);
    }
    events.finding(f);
    run.finding = f;
    return run;
}

}  // namespace dlcov::tenfuzz
