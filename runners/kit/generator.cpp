#include "generator.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;

namespace dlcov {

GeneratorArgs parse_generator_args(int argc, char** argv, const std::string& program,
                                   const std::string& description) {
    GeneratorArgs a;
    std::string options_path;
    double timeout_seconds = 60;
    CLI::App app{description, program};
    app.add_option("--executor", a.executor, "instrumented executor (build target)")->required();
    app.add_option("--seeds", a.seeds_dir, "folder with seeds.json and the seed models")->required();
    app.add_option("--work", a.work_dir, "folder for everything this generator writes")->required();
    app.add_option("--profiles", a.profiles_dir, "folder for one raw profile per execution")->required();
    app.add_option("--events", a.events_path, "JSON-lines file of executions and findings")->required();
    app.add_option("--options", options_path, "JSON file with style-specific options");
    app.add_option("--budget", a.budget_seconds, "seconds to generate and run tests")->capture_default_str();
    app.add_option("--seed", a.seed, "random seed")->capture_default_str();
    app.add_option("--timeout", timeout_seconds, "seconds per execution")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        std::exit(app.exit(e) == 0 ? 0 : 2);
    }
    a.timeout = std::chrono::milliseconds(long(timeout_seconds * 1000));
    if (!options_path.empty()) {
        std::ifstream in(options_path);
        try {
            a.options = nlohmann::json::parse(in);
        } catch (const nlohmann::json::exception& e) {
            std::cerr << program << ": " << options_path << ": not valid JSON: " << e.what() << "\n";
            std::exit(2);
        }
    }
    fs::create_directories(a.work_dir);
    fs::create_directories(a.profiles_dir);
    return a;
}

std::vector<Seed> read_seeds(const std::string& seeds_dir) {
    fs::path index = fs::path(seeds_dir) / "seeds.json";
    std::ifstream in(index);
    if (!in) throw std::runtime_error(index.string() + ": cannot read");
    nlohmann::json j = nlohmann::json::parse(in);
    std::vector<Seed> seeds;
    for (const auto& s : j)
        seeds.push_back({s.at("name").get<std::string>(), (fs::path(seeds_dir) / s.at("model").get<std::string>()).string(),
                         (fs::path(seeds_dir) / s.at("input").get<std::string>()).string(), s.value("classes", 0)});
    return seeds;
}

std::optional<ModelOutput> read_model_output(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    try {
        nlohmann::json j = nlohmann::json::parse(in);
        ModelOutput out;
        for (const auto& row : j.at("outputs")) {
            std::vector<double> values;
            for (const auto& v : row) values.push_back(v.is_number() ? v.get<double>() : std::nan(""));
            out.outputs.push_back(std::move(values));
        }
        if (j.contains("labels")) out.labels = j.at("labels").get<std::vector<int>>();
        return out;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

std::string trial_relative(const GeneratorArgs& args, const std::string& path) {
    fs::path trial = fs::absolute(args.work_dir).parent_path();
    return fs::absolute(path).lexically_normal().lexically_relative(trial).generic_string();
}

Finding inconsistency_finding(const GeneratorArgs& args, const std::string& model, const std::string& input,
                              const std::string& backend_a, const std::string& backend_b, const std::string& metric,
                              double value, const std::string& detail) {
    Finding f;
    f.kind = "inconsistency";
    f.artifact = trial_relative(args, model);
    f.input = trial_relative(args, input);
    f.backends = backend_a + "-vs-" + backend_b;
    f.metric = metric;
    f.value = value;
    f.detail = detail;
    f.replay = fmt::format("{} --model {} --input {} --output /tmp/out.json --backend {} (then {})", args.executor, model,
                           input, backend_a, backend_b);
    return f;
}

std::string execution_output_path(const GeneratorArgs& args, const std::string& id) {
    fs::create_directories(fs::path(args.work_dir) / "outputs");
    return (fs::path(args.work_dir) / "outputs" / (id + ".json")).string();
}

ExecutorRun run_instrumented(const GeneratorArgs& args, EventLog& events, const std::string& id,
                             const std::vector<std::string>& argv, const std::string& artifact,
                             const std::string& input, const std::string& backend) {
    ExecutorRun run;
    run.output_path = execution_output_path(args, id);
    ProcessSpec spec;
    spec.argv = argv;
    spec.env["LLVM_PROFILE_FILE"] = args.profiles_dir + "/" + id + "-%p-%m%c.profraw";
    spec.env["GCOV_PREFIX"] = args.profiles_dir + "/" + id + "-%p.gcda.d";  // gcov mode: a folder per process
    spec.env["DLCOV_SANCOV_FILE"] = args.profiles_dir + "/" + id + "-%p.sancov";  // sancov builds' runtime
    spec.timeout = args.timeout;
    run.result = run_process(spec);
    events.execution(id, trial_relative(args, artifact), backend, run.result);

    const ProcessResult& r = run.result;
    bool exited = r.outcome == ProcessResult::Exited;
    if (exited && (r.exit_code == kExecutorOk || r.exit_code == kExecutorNaN)) run.output = read_model_output(run.output_path);
    if (exited && (r.exit_code == kExecutorOk || r.exit_code == kExecutorUnusable)) return run;

    Finding f;
    f.artifact = trial_relative(args, artifact);
    if (!input.empty()) f.input = trial_relative(args, input);
    f.backends = backend;
    std::string replay_argv;
    for (size_t i = 0; i < spec.argv.size(); ++i)
        replay_argv += (i ? " " : "") + (spec.argv[i] == run.output_path ? std::string("/tmp/replay-output.json") : spec.argv[i]);
    f.replay = replay_argv;
    std::string first_line = r.output.substr(0, r.output.find('\n'));
    if (exited && r.exit_code == kExecutorNaN) {
        f.kind = "nan";
        f.detail = "NaN or Inf in the output";
    } else if (exited && r.exit_code == kExecutorException) {
        f.kind = "exception";
        f.detail = "tiny-dnn threw: " + first_line;
    } else {
        f.kind = r.outcome == ProcessResult::TimedOut ? "timeout" : "crash";
        f.detail = r.describe() + (first_line.empty() ? "" : ": " + first_line);
    }
    events.finding(f);
    run.finding = f;
    return run;
}

ExecutorRun run_executor(const GeneratorArgs& args, EventLog& events, const std::string& id,
                         const std::string& model, const std::string& input, const std::string& backend,
                         const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {args.executor, "--model", model, "--input", input,
                                     "--output", execution_output_path(args, id), "--backend", backend};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_instrumented(args, events, id, argv, model, input, backend);
}

}  // namespace dlcov
