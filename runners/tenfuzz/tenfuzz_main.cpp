// dlcov-tenfuzz: the TenFuzz-style tester. Starts from a corpus of valid API-level tests of
// tiny-dnn (corpus.h, one per API), mutates them with TenFuzz's five operators (operators.h),
// runs every test in the instrumented driver dlcov-tinydnn-api, one process per (test, backend),
// and reports crashes, timeouts, NaN, exceptions, and inconsistencies between backends
// (differential.h) or between a network and its serialized-and-reloaded copy.
//
//   dlcov-tenfuzz --driver DRIVER --work DIR --profiles DIR --events FILE [--options FILE]
//                 [--budget S] [--seed N] [--timeout S]        a live run (generator.h contract;
//                                                              --executor and --seeds are optional)
//   dlcov-tenfuzz --write-corpus DIR                           the corpus as DIR/<id>.json
//   dlcov-tenfuzz --mutate TEST.json --operator OP --out FILE [--seed N]
//                 one mutation; prints its record as JSON; exit 0 applied, 1 not applicable
//
// Options (--options JSON): backends: ["internal", "avx"]  threshold: 0.001 (relative
// difference that is an inconsistency)  chain: 0.5 (chance that a mutant, rather than a corpus
// test, is mutated next).
//
// Work folder: tests/corpus/<id>.json, tests/mutants/<id>.json (each mutant carries its
// "history"), outputs/<id>.<backend>.json, mutations.jsonl (every attempt: applied with its
// record, or not applicable with the reason), summary.json (counts per operator and outcome).
#include "corpus.h"
#include "differential.h"
#include "generator.h"
#include "operators.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace dlcov;
using namespace dlcov::tenfuzz;

namespace {

void write_json(const std::string& path, const json& j) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << j.dump() << '\n';
    if (!out) throw std::runtime_error(path + ": cannot write");
}

json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read");
    return json::parse(in);
}

int write_corpus(const std::string& dir) {
    fs::create_directories(dir);
    for (const CorpusTest& t : initial_corpus()) write_json(dir + "/" + t.id + ".json", t.test);
    return 0;
}

int mutate_one(const std::string& test_path, const std::string& op, const std::string& out_path, unsigned seed) {
    std::mt19937 rng(seed);
    const Mutation m = mutate(op, read_json_file(test_path), rng);
    if (!m.applied) {
        std::cout << json({{"operator", op}, {"applied", false}, {"reason", m.reason}}).dump() << '\n';
        return 1;
    }
    write_json(out_path, m.test);
    std::cout << m.record.dump() << '\n';
    return 0;
}

// What one test did on its backends, for the summary.
struct Outcome {
    bool usable = true;     // no run said "unusable test" (exit 2)
    bool reusable = true;   // every run exited 0 or 3: a valid parent for further mutation
    bool finding = false;
};

class Fuzzer {
public:
    Fuzzer(GeneratorArgs args, std::string driver)
        : args_(std::move(args)), driver_(std::move(driver)), events_(args_.events_path), deadline_(args_.budget_seconds),
          rng_(args_.seed) {
        backends_ = args_.options.value("backends", std::vector<std::string>{"internal", "avx"});
        if (backends_.empty()) backends_ = {"internal"};
        threshold_ = args_.options.value("threshold", 1e-3);
        chain_ = args_.options.value("chain", 0.5);
        fs::create_directories(fs::path(args_.work_dir) / "tests" / "corpus");
        fs::create_directories(fs::path(args_.work_dir) / "tests" / "mutants");
        mutations_.open(fs::path(args_.work_dir) / "mutations.jsonl", std::ios::app);
    }

    void run() {
        const std::vector<CorpusTest> corpus = initial_corpus();
        corpus_tests_ = corpus.size();
        for (const CorpusTest& t : corpus) {
            if (deadline_.expired()) break;
            const std::string path = (fs::path(args_.work_dir) / "tests" / "corpus" / (t.id + ".json")).string();
            write_json(path, t.test);
            const Outcome o = execute(t.id, path, t.test);
            count("corpus", o);
            if (o.reusable) corpus_.push_back({t.id, t.test});
        }
        if (corpus_.empty()) {
            std::cerr << "dlcov-tenfuzz: no corpus test ran; is --driver the instrumented dlcov-tinydnn-api?\n";
            write_summary();
            return;
        }
        size_t next = 0;
        while (!deadline_.expired()) {
            const bool from_mutant = !mutants_.empty() && std::bernoulli_distribution(chain_)(rng_);
            const CorpusTest& parent = from_mutant ? mutants_[std::uniform_int_distribution<size_t>(0, mutants_.size() - 1)(rng_)]
                                                   : corpus_[next++ % corpus_.size()];
            mutate_and_run(parent);
        }
        write_summary();
    }

private:
    void mutate_and_run(const CorpusTest& parent) {
        std::vector<std::string> ops = operator_names();
        std::shuffle(ops.begin(), ops.end(), rng_);
        for (const std::string& op : ops) {
            Mutation m = mutate(op, parent.test, rng_);
            if (!m.applied) {
                mutations_ << json({{"parent", parent.id}, {"operator", op}, {"applied", false}, {"reason", m.reason}}).dump()
                           << '\n';
                ++not_applicable_[op];
                continue;
            }
            const std::string base = parent.id.substr(0, parent.id.find("~"));
            const std::string id = fmt::format("{}~{:06d}-{}", base, ++mutant_count_, op);
            const std::string path = (fs::path(args_.work_dir) / "tests" / "mutants" / (id + ".json")).string();
            write_json(path, m.test);
            mutations_ << json({{"id", id}, {"parent", parent.id}, {"operator", op}, {"applied", true}, {"record", m.record}}).dump()
                       << '\n';
            mutations_.flush();
            const Outcome o = execute(id, path, m.test);
            count(op, o);
            if (o.reusable && mutants_.size() < 5000) mutants_.push_back({id, std::move(m.test)});
            return;
        }
    }

    // Runs one test on its backends (both when it reaches code with an AVX path), then the oracles.
    Outcome execute(const std::string& id, const std::string& path, const json& test) {
        Outcome o;
        const std::vector<std::string> backends =
            has_avx_path(test) ? backends_ : std::vector<std::string>{backends_.front()};
        std::vector<ExecutorRun> runs;
        for (const std::string& backend : backends) {
            runs.push_back(run_driver(id + "." + backend, path, backend));
            const ProcessResult& r = runs.back().result;
            const bool exited = r.outcome == ProcessResult::Exited;
            o.usable = o.usable && !(exited && r.exit_code == kExecutorUnusable);
            o.reusable = o.reusable && exited && (r.exit_code == kExecutorOk || r.exit_code == kExecutorNaN);
            o.finding = o.finding || runs.back().finding.has_value();
        }
        for (size_t j = 0; j < runs.size(); ++j)
            for (size_t k = j + 1; k < runs.size(); ++k) o.finding = compare_backends(path, runs[j], runs[k], backends[j], backends[k]) || o.finding;
        for (size_t j = 0; j < runs.size(); ++j) o.finding = check_round_trip(path, test, runs[j], backends[j]) || o.finding;
        return o;
    }

    // One API-level test in the instrumented driver, one process and one profile, with the
    // executor's exit codes (run_instrumented).
    ExecutorRun run_driver(const std::string& id, const std::string& test_path, const std::string& backend) {
        std::vector<std::string> argv = {driver_, "--test", test_path, "--output", execution_output_path(args_, id),
                                         "--backend", backend};
        return run_instrumented(args_, events_, id, argv, test_path, "", backend);
    }

    void report_inconsistency(const std::string& path, const std::string& backends, const std::string& metric,
                              double value, const std::string& detail, const std::string& replay) {
        Finding f;
        f.kind = "inconsistency";
        f.artifact = trial_relative(args_, path);
        f.backends = backends;
        f.metric = metric;
        f.value = value;
        f.detail = detail;
        f.replay = replay;
        events_.finding(f);
    }

    bool compare_backends(const std::string& path, const ExecutorRun& a, const ExecutorRun& b, const std::string& name_a,
                          const std::string& name_b) {
        std::string detail;
        double value = 0;
        if (a.output && b.output) {
            const Difference d = compare_outputs(*a.output, *b.output);
            if (!inconsistent(d, threshold_)) return false;
            detail = d.describe();
            value = d.max_rel;
        } else if (a.result.describe() != b.result.describe()) {
            detail = fmt::format("outcomes differ: {} on {}, {} on {}", a.result.describe(), name_a, b.result.describe(),
                                 name_b);
            value = 1;
        } else {
            return false;
        }
        report_inconsistency(path, name_a + "-vs-" + name_b, "max_rel_diff", value, detail,
                             fmt::format("{} --test {} --output /tmp/out.json --backend {} (then {})", driver_, path, name_a,
                                         name_b));
        return true;
    }

    // A serialize test's network must predict the same after saving and loading it.
    bool check_round_trip(const std::string& path, const json& test, const ExecutorRun& run, const std::string& backend) {
        if (test.value("api", "") != "serialize" || !run.output) return false;
        json out;
        try {
            out = read_json_file(run.output_path);
        } catch (const std::exception&) {
            return false;
        }
        if (!out.contains("roundtrip_max_diff") || !out["roundtrip_max_diff"].is_number()) return false;
        const double diff = out["roundtrip_max_diff"].get<double>();
        if (diff <= threshold_) return false;
        report_inconsistency(path, backend + "-vs-reloaded", "roundtrip_max_diff", diff,
                             fmt::format("the reloaded network predicts differently (max abs diff {:.3g})", diff),
                             fmt::format("{} --test {} --output /tmp/out.json --backend {}", driver_, path, backend));
        return true;
    }

    void count(const std::string& key, const Outcome& o) {
        json& c = counts_[key];
        if (c.is_null()) c = json::object();
        c["tests"] = c.value("tests", 0) + 1;
        if (!o.usable) c["unusable"] = c.value("unusable", 0) + 1;
        if (o.finding) c["with_findings"] = c.value("with_findings", 0) + 1;
    }

    void write_summary() {
        json s = {{"corpus_tests", corpus_tests_}, {"mutants", mutant_count_}, {"by_operator", counts_},
                  {"not_applicable", not_applicable_}};
        write_json((fs::path(args_.work_dir) / "summary.json").string(), s);
        std::cout << s.dump(2) << '\n';
    }

    GeneratorArgs args_;
    std::string driver_;
    EventLog events_;
    Deadline deadline_;
    std::mt19937 rng_;
    std::vector<std::string> backends_;
    double threshold_ = 1e-3, chain_ = 0.5;
    std::vector<CorpusTest> corpus_, mutants_;
    size_t corpus_tests_ = 0, mutant_count_ = 0;
    json counts_ = json::object();
    std::map<std::string, int> not_applicable_;
    std::ofstream mutations_;
};

// Takes "--NAME VALUE" out of argv; "" when absent.
std::string take_option(std::vector<std::string>& argv, const std::string& name) {
    for (size_t i = 1; i + 1 < argv.size(); ++i)
        if (argv[i] == name) {
            std::string value = argv[i + 1];
            argv.erase(argv.begin() + long(i), argv.begin() + long(i) + 2);
            return value;
        }
    return "";
}

bool has_flag(const std::vector<std::string>& argv, const std::string& name) {
    return std::find(argv.begin(), argv.end(), name) != argv.end();
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    try {
        if (has_flag(args, "--write-corpus")) {
            const std::string dir = take_option(args, "--write-corpus");
            if (dir.empty()) throw std::invalid_argument("--write-corpus needs a folder");
            return write_corpus(dir);
        }
        if (has_flag(args, "--mutate")) {
            const std::string test = take_option(args, "--mutate"), op = take_option(args, "--operator"),
                              out = take_option(args, "--out"), seed = take_option(args, "--seed");
            if (test.empty() || op.empty() || out.empty())
                throw std::invalid_argument("--mutate TEST.json needs --operator OP and --out FILE");
            return mutate_one(test, op, out, seed.empty() ? 1u : unsigned(std::stoul(seed)));
        }
    } catch (const std::exception& e) {
        std::cerr << "dlcov-tenfuzz: " << e.what() << '\n';
        return 2;
    }

    // A live run: the generator contract plus --driver. TenFuzz-style needs no executor and no
    // seeds (it writes its own corpus), so both default to harmless values.
    const std::string driver = take_option(args, "--driver");
    if (!has_flag(args, "--help") && !has_flag(args, "-h") && driver.empty()) {
        std::cerr << "dlcov-tenfuzz: --driver PATH (the instrumented dlcov-tinydnn-api) is required\n";
        return 2;
    }
    const std::string work = take_option(args, "--work");
    if (!has_flag(args, "--executor")) args.insert(args.end(), {"--executor", driver});
    if (!has_flag(args, "--seeds")) args.insert(args.end(), {"--seeds", work.empty() ? "." : work});
    if (!work.empty()) args.insert(args.end(), {"--work", work});
    std::vector<char*> raw;
    for (std::string& a : args) raw.push_back(a.data());
    GeneratorArgs parsed = parse_generator_args(int(raw.size()), raw.data(), "dlcov-tenfuzz",
                                                "TenFuzz-style mutation of API-level tests of tiny-dnn "
                                                "(--driver PATH: the instrumented dlcov-tinydnn-api)");
    try {
        Fuzzer(std::move(parsed), driver).run();
    } catch (const std::exception& e) {
        std::cerr << "dlcov-tenfuzz: " << e.what() << '\n';
        return 2;
    }
    return 0;
}
