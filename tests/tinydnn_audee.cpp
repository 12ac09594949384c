// The Audee-style generator (runners/audee/) on the real instrumented tiny-dnn: what it writes
// loads and runs in the executor (or is a recorded finding), its search breeds from earlier
// generations, the same --seed gives the same first models, and its profiles cover lines of
// tiny-dnn that the CRADLE runner on the seed models does not.
#include "profile_reading.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace dlcov;
using namespace dlcov::test;

namespace {

std::string program(const std::string& name) { return (fs::path(DLCOV_EXE).parent_path() / name).string(); }
std::string executor() { return tinydnn_build_dir() + "/bin/dlcov-tinydnn-exec"; }

// Runs a generator with the generator-contract arguments into <dir>/{work,profiles,events.jsonl}.
CommandResult run_generator(const std::string& generator, const std::string& dir, const std::string& seeds,
                            const json& options, double budget, unsigned seed) {
    write_file(dir + "/options.json", options.dump());
    std::ostringstream cmd;
    cmd << shell_quote(program(generator)) << " --executor " << shell_quote(executor()) << " --seeds "
        << shell_quote(seeds) << " --work " << shell_quote(dir + "/work") << " --profiles "
        << shell_quote(dir + "/profiles") << " --events " << shell_quote(dir + "/events.jsonl") << " --options "
        << shell_quote(dir + "/options.json") << " --budget " << budget << " --seed " << seed << " --timeout 30";
    return run_command(cmd.str());
}

std::vector<json> read_lines(const std::string& path) {
    std::vector<json> lines;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(json::parse(line));
    return lines;
}

std::vector<json> events_of_kind(const std::vector<json>& lines, const std::string& kind) {
    std::vector<json> out;
    for (const auto& l : lines)
        if (l.value("event", "") == kind) out.push_back(l);
    return out;
}

// One Audee run of about 20 s, shared by the tests below.
const std::string& audee_run() {
    static const std::string dir = [] {
        std::string d = scratch_dir("audee-run");
        CommandResult r = run_generator("dlcov-audee", d, d + "/no-seeds", json::object(), 20, 1);
        if (r.exit_code != 0) throw std::runtime_error("dlcov-audee failed:\n" + r.output);
        return d;
    }();
    return dir;
}

// A CRADLE run on the seed models, for comparison.
const std::string& cradle_run() {
    static const std::string dir = [] {
        std::string d = scratch_dir("audee-cradle");
        CommandResult seeds = run_command(shell_quote(program("dlcov-tinydnn-seeds")) + " --out " + shell_quote(d + "/seeds"));
        if (seeds.exit_code != 0) throw std::runtime_error("dlcov-tinydnn-seeds failed:\n" + seeds.output);
        CommandResult r = run_generator("dlcov-cradle", d, d + "/seeds", json::object(), 120, 1);
        if (r.exit_code != 0) throw std::runtime_error("dlcov-cradle failed:\n" + r.output);
        return d;
    }();
    return dir;
}

std::vector<std::string> executor_objects() {
    json manifest = json::parse(read_file(tinydnn_build_dir() + "/build.json"));
    return manifest["objects"].get<std::vector<std::string>>();
}

}  // namespace

TEST_CASE("every model an Audee run writes runs in the instrumented executor or is a finding", "[audee]") {
    const std::string dir = audee_run();
    std::vector<json> history = read_lines(dir + "/work/audee/history.jsonl");
    std::vector<json> models = events_of_kind(history, "model");
    std::vector<json> events = read_lines(dir + "/events.jsonl");
    INFO(read_file(dir + "/work/audee/summary.json"));
    REQUIRE(models.size() >= 8);  // at least one generation in 20 s

    std::map<std::string, std::string> result_of;  // execution id -> result
    std::set<std::string> finding_artifacts;
    for (const auto& e : events) {
        if (e["event"] == "execution") result_of[e["id"]] = e["result"];
        if (e["event"] == "finding") finding_artifacts.insert(e["artifact"].get<std::string>());
    }
    size_t ran_clean = 0;
    for (const auto& m : models) {
        const std::string id = m["id"];
        INFO(id << ": " << m.dump());
        CHECK(fs::exists(dir + "/" + m["model"].get<std::string>()));
        CHECK(fs::exists(dir + "/" + m["input"].get<std::string>()));
        CHECK(fs::path(m["model"].get<std::string>()).filename() == id + ".model.json");
        bool finding = finding_artifacts.count(m["model"]) > 0;
        CHECK(finding == !m["findings"].empty());
        for (std::string backend : {"internal", "avx"}) {
            REQUIRE(result_of.count(id + "." + backend));
            // exit 2 would mean the generator wrote something the executor cannot use
            CHECK(result_of[id + "." + backend] != "exit 2");
            if (!finding) CHECK(result_of[id + "." + backend] == "exit 0");
        }
        ran_clean += !finding;
        CHECK(fs::exists(dir + "/profiles"));
    }
    CHECK(ran_clean > 0);
    // One profile per execution.
    size_t profiles = 0;
    for (const auto& p : fs::directory_iterator(dir + "/profiles")) profiles += p.path().extension() == ".profraw";
    CHECK(profiles == result_of.size());
    // The search does not stall on genomes tiny-dnn refuses: discards are counted, and rare.
    json summary = json::parse(read_file(dir + "/work/audee/summary.json"));
    CHECK(summary["models"] == models.size());
    int discarded = 0;
    for (const auto& [reason, count] : summary["discarded"].items()) discarded += count.get<int>();
    CHECK(discarded <= int(models.size()));
}

TEST_CASE("later Audee generations are bred from the fittest of earlier ones", "[audee]") {
    std::vector<json> history = read_lines(audee_run() + "/work/audee/history.jsonl");
    std::vector<json> generations = events_of_kind(history, "generation");
    REQUIRE(generations.size() >= 2);
    std::map<std::string, json> model_by_id;
    for (const auto& m : events_of_kind(history, "model")) model_by_id[m["id"]] = m;

    size_t bred = 0;
    for (size_t g = 1; g < generations.size(); ++g) {
        std::set<std::string> previous;
        for (const auto& id : generations[g - 1]["population"]) previous.insert(id);
        // The elite, the previous generation's fittest model without findings, is carried over:
        // the best fitness never falls.
        const json& before = generations[g - 1]["best_fitness"];
        const json& now = generations[g]["best_fitness"];
        if (!before.is_null()) {
            REQUIRE_FALSE(now.is_null());
            CHECK(now.get<double>() >= before.get<double>());
        }
        for (const auto& id : generations[g]["population"]) {
            const json& m = model_by_id.at(id);
            if (m["generation"] != g) {
                CHECK(previous.count(id));  // carried
                continue;
            }
            for (const auto& parent : m["parents"]) {
                CHECK(previous.count(parent));
                ++bred;
            }
            bool mutated = false;
            for (const auto& op : m["operators"]) mutated = mutated || op.get<std::string>().rfind("mutate:", 0) == 0;
            CHECK((mutated || m["operators"][0] == "immigrant"));
        }
    }
    CHECK(bred > 0);
}

TEST_CASE("the same --seed gives the same first Audee models", "[audee]") {
    json options = {{"max_models", 3}};
    std::string a = scratch_dir("audee-seed-a"), b = scratch_dir("audee-seed-b"), c = scratch_dir("audee-seed-c");
    REQUIRE(run_generator("dlcov-audee", a, a, options, 60, 5).exit_code == 0);
    REQUIRE(run_generator("dlcov-audee", b, b, options, 60, 5).exit_code == 0);
    REQUIRE(run_generator("dlcov-audee", c, c, options, 60, 6).exit_code == 0);
    for (int i = 0; i < 3; ++i) {
        for (std::string kind : {"model", "input"}) {
            std::string file = "/work/audee/models/gen0-" + std::to_string(i) + "." + kind + ".json";
            INFO(file);
            REQUIRE(fs::exists(a + file));
            CHECK(read_file(a + file) == read_file(b + file));
        }
    }
    CHECK(read_file(a + "/work/audee/models/gen0-0.model.json") != read_file(c + "/work/audee/models/gen0-0.model.json"));
    CHECK_FALSE(fs::exists(a + "/work/audee/models/gen0-3.model.json"));  // max_models stops it
}

TEST_CASE("Audee's profiles cover tiny-dnn lines that CRADLE on the seeds does not", "[audee]") {
    std::vector<std::string> objects = executor_objects();
    ProfileCoverage cradle = measure_profiles(objects, {cradle_run() + "/profiles"});
    ProfileCoverage audee = measure_profiles(objects, {audee_run() + "/profiles"});
    REQUIRE(cradle.coverage.layout.fingerprint() == audee.coverage.layout.fingerprint());
    const CoverageLayout& layout = audee.coverage.layout;
    CoverageCounts only_audee = subtract(audee.coverage.counts, cradle.coverage.counts);

    // Distinct source lines of tiny-dnn (not the executor's own) that some instantiation ran
    // under Audee and none ran under CRADLE.
    size_t lines = 0;
    std::set<std::string> files;
    for (const SourceFile& file : layout.files) {
        if (file.path.find("/tiny_dnn/") == std::string::npos) continue;
        std::set<unsigned> reached_by_audee, reached_by_cradle;
        for (const auto& definition : file.functions)
            for (const auto& inst : definition.instantiations)
                for (size_t i = inst.first_line; i < inst.first_line + inst.line_count; ++i) {
                    if (audee.coverage.counts.lines[i]) reached_by_audee.insert(layout.line_numbers[i]);
                    if (cradle.coverage.counts.lines[i]) reached_by_cradle.insert(layout.line_numbers[i]);
                }
        size_t new_lines = 0;
        for (unsigned line : reached_by_audee) new_lines += !reached_by_cradle.count(line);
        lines += new_lines;
        if (new_lines) files.insert(fs::path(file.path).filename().string() + " (" + std::to_string(new_lines) + ")");
    }
    std::string names;
    for (const auto& f : files) names += f + " ";
    WARN("tiny-dnn source lines Audee reached and CRADLE on the seeds did not: " << lines << " in " << names);
    CHECK(lines > 0);
    // The set difference on counts agrees that Audee reached something CRADLE did not.
    size_t items = 0;
    for (uint64_t c : only_audee.lines) items += c > 0;
    CHECK(items > 0);
}
