// The sancov mode on the real tiny-dnn (configs/frameworks/tinydnn-sancov.yaml, built once by the
// ctest fixture instrument_tinydnn_sancov) beside llvm mode's build of the same sources and flags
// (instrument_tinydnn): the executor runs every seed on both backends in each build, and the two
// measurements must agree where sancov mode can know what llvm mode knows (coverage/sancov/README.md);
// a CRADLE campaign and its report in sancov mode; a SIGKILLed training run keeps its coverage.
#include "build_manifest.h"
#include "measurement_pipeline.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;
using namespace dlcov;
using namespace dlcov::test;

namespace {

std::string seed_program() { return (fs::path(DLCOV_EXE).parent_path() / "dlcov-tinydnn-seeds").string(); }

// What one build measured on the executor's runs: per (file, line) covered or not, per function
// (instantiation, by linkage name) executed or not, and the totals.
struct Side {
    std::map<std::pair<std::string, unsigned>, bool> lines;
    std::map<std::string, bool> functions;
    std::map<std::string, std::string> function_file;  // linkage name -> its file
    CoverageTally total;
    size_t profiles = 0;
};

// llvm mode names a function of internal linkage "<file>:<mangled name>"; mangled names hold no ':'.
std::string linkage_name(const std::string& name) {
    size_t colon = name.rfind(':');
    return colon == std::string::npos ? name : name.substr(colon + 1);
}

Side measure_side(const std::string& build_dir, const std::vector<std::string>& profile_dirs) {
    BuildManifest build = load_manifest(build_dir);
    MeasurementPipeline pipeline(build);
    ProfileMeasurement pm = pipeline.measure(profile_dirs);
    if (!pm.skipped.empty()) throw std::runtime_error(pm.skipped.front().path + ": " + pm.skipped.front().reason);
    Side side;
    side.total = pm.measurement.total;
    side.profiles = pm.read.size();
    const CoverageLayout& layout = pipeline.layout();
    const FileAssignment& assignment = pipeline.assignment();
    for (size_t f = 0; f < layout.files.size(); ++f) {
        if (!assignment.counted(f)) continue;
        const std::string& file = assignment.relative_paths[f];
        for (const auto& fn : layout.files[f].functions)
            for (const auto& inst : fn.instantiations) {
                bool& executed = side.functions[linkage_name(inst.name)];
                executed = executed || pm.counts.functions[inst.function_index] > 0;
                side.function_file[linkage_name(inst.name)] = file;
                for (size_t i = inst.first_line; i < inst.first_line + inst.line_count; ++i) {
                    bool& covered = side.lines[{file, layout.line_numbers[i]}];
                    covered = covered || pm.counts.lines[i] > 0;
                }
            }
    }
    return side;
}

struct Comparison {
    Side llvm, sancov;
    std::string work;  // seeds/, profiles-llvm/, profiles-sancov/
};

// Every seed on both backends, once per build, each process its own profile.
const Comparison& comparison() {
    static const Comparison c = [] {
        std::string work = scratch_dir("tinydnn-sancov-vs-llvm");
        std::string seeds = work + "/seeds";
        must_run(shell_quote(seed_program()) + " --out " + shell_quote(seeds));
        json index = json::parse(read_file(seeds + "/seeds.json"));
        for (const char* mode : {"llvm", "sancov"}) {
            std::string build = framework_build_dir(std::string(mode) == "llvm" ? "tinydnn" : "tinydnn-sancov");
            std::string profiles = work + "/profiles-" + mode;
            fs::create_directories(profiles);
            for (const json& seed : index)
                for (const char* backend : {"internal", "avx"}) {
                    std::string name = seed["name"].get<std::string>() + "-" + backend;
                    std::string env = std::string(mode) == "llvm"
                                          ? "LLVM_PROFILE_FILE=" + shell_quote(profiles + "/" + name + "-%p%c.profraw")
                                          : "DLCOV_SANCOV_FILE=" + shell_quote(profiles + "/" + name + "-%p.sancov");
                    must_run("cd " + shell_quote(work) + " && " + env + " " + shell_quote(build + "/bin/dlcov-tinydnn-exec") +
                             " --model " + shell_quote(seeds + "/" + seed["model"].get<std::string>()) + " --input " +
                             shell_quote(seeds + "/" + seed["input"].get<std::string>()) + " --output out.json --backend " +
                             backend);
                }
        }
        Comparison out;
        out.work = work;
        out.llvm = measure_side(framework_build_dir("tinydnn"), {work + "/profiles-llvm"});
        out.sancov = measure_side(framework_build_dir("tinydnn-sancov"), {work + "/profiles-sancov"});
        return out;
    }();
    return c;
}

}  // namespace

TEST_CASE("sancov mode on tiny-dnn: functions and lines executed agree with llvm mode's on the same runs",
          "[sancov][tinydnn]") {
    const Comparison& c = comparison();
    REQUIRE(c.llvm.profiles == 16);
    REQUIRE(c.sancov.profiles == 16);
    CHECK(c.sancov.total.branches.total == 0);  // sancov knows edges, not the sides of conditions
    CHECK(c.sancov.total.lines.covered > 1000);

    // Functions, by linkage name. Every function sancov knows is one llvm mode maps (the
    // compiler's own, which clang does not map, are left out of sancov's layout too).
    size_t llvm_executed = 0, sancov_executed = 0, both = 0, only_sancov = 0;
    std::vector<std::string> unknown_to_llvm;
    for (auto [name, executed] : c.llvm.functions) llvm_executed += executed;
    for (auto [name, executed] : c.sancov.functions) {
        sancov_executed += executed;
        auto other = c.llvm.functions.find(name);
        if (other == c.llvm.functions.end()) unknown_to_llvm.push_back(name);
        else if (executed) (other->second ? both : only_sancov) += 1;
    }
    CHECK(unknown_to_llvm == std::vector<std::string>{});
    INFO("functions executed: llvm mode " << llvm_executed << ", sancov mode " << sancov_executed << ", both " << both
                                          << ", only sancov " << only_sancov);
    // llvm mode counts a function's runs wherever it was inlined; sancov sees them only where an
    // instruction with the function's line survived optimisation: an empty destructor or a getter
    // folded into its caller is executed in llvm mode only (23 of 596 here).
    CHECK(both >= 0.95 * llvm_executed);
    // An instruction the optimiser moved into another block keeps its line: a block that runs it
    // makes its function look executed (2 of 575 here: a switch case's call hoisted before the switch).
    CHECK(only_sancov <= 0.01 * sancov_executed);

    // Lines, by (file, line), on the lines both modes know.
    size_t common = 0, agree = 0, only_sancov_lines = 0, sancov_lines = c.sancov.lines.size();
    for (auto [key, covered] : c.sancov.lines) {
        auto other = c.llvm.lines.find(key);
        if (other == c.llvm.lines.end()) {
            ++only_sancov_lines;
            continue;
        }
        ++common;
        agree += covered == other->second;
    }
    INFO("lines both modes know " << common << ", covered alike " << agree << "; only sancov knows " << only_sancov_lines
                                  << " of " << sancov_lines);
    // Covered alike but for lines whose instructions moved to, or merged with, other lines' code
    // (37 of 4154 here).
    CHECK(common >= 0.9 * sancov_lines);
    CHECK(agree >= 0.98 * common);
    // Lines only sancov knows: constructors' member initializers and macro expansion sites, which
    // have instructions but no region of their own in clang's mapping (122 here).
    CHECK(only_sancov_lines <= 0.05 * sancov_lines);
    // llvm mode knows about twice the lines and more functions: lines with no instruction of their
    // own (braces, declarations, `else`) and inline functions the program never emitted.
    CHECK(c.llvm.total.lines.total > c.sancov.total.lines.total);
    CHECK(c.llvm.total.functions.total > c.sancov.total.functions.total);
}

TEST_CASE("dlcov measure --build measures a sancov build's profiles as the pipeline does", "[sancov][tinydnn]") {
    const Comparison& c = comparison();
    const std::string& dir = c.work;
    std::string out = dir + "/measure.json";
    must_run(shell_quote(DLCOV_EXE) + " measure --build " + shell_quote(framework_build_dir("tinydnn-sancov")) +
             " --profiles " + shell_quote(dir + "/profiles-sancov") + " --strict --json " + shell_quote(out));
    json total = json::parse(read_file(out))["total"];
    CHECK(total["lines"]["covered"] == c.sancov.total.lines.covered);
    CHECK(total["lines"]["total"] == c.sancov.total.lines.total);
    CHECK(total["functions"]["covered"] == c.sancov.total.functions.covered);
    CHECK(total["branches"]["total"] == 0);
    CommandResult both = run_command(shell_quote(DLCOV_EXE) + " measure --build " +
                                     shell_quote(framework_build_dir("tinydnn-sancov")) + " --objects x --profiles " +
                                     shell_quote(dir + "/profiles-sancov"));
    CHECK(both.exit_code != 0);
    CHECK_THAT(both.output, Catch::Contains("--build measures a build's own binaries"));
}

TEST_CASE("sancov mode on tiny-dnn: a CRADLE campaign's snapshots and report count what the runs covered",
          "[sancov][tinydnn]") {
    const Comparison& c = comparison();
    std::string work = scratch_dir("tinydnn-sancov-campaign");
    write_file(work + "/campaign.yaml",
               "name: sancov-e2e\n"
               "framework: " + std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn-sancov.yaml\n"
               "runners:\n"
               "  - runner: " + std::string(DLCOV_SOURCE_DIR) + "/configs/runners/cradle.yaml\n"
               "    trials: 1\n"
               "    budget: 20\n");
    std::string dlcov = shell_quote(DLCOV_EXE);
    must_run(dlcov + " run " + shell_quote(work + "/campaign.yaml") + " --results-dir " + shell_quote(work + "/results") +
             " --builds-dir " + shell_quote(DLCOV_TEST_BUILDS_DIR));
    std::string campaign = work + "/results/sancov-e2e";
    // The trial's profiles/ folder holds the running total alone; the report reads it.
    CHECK(fs::exists(campaign + "/cradle/trial-1/profiles/coverage.sancov-total"));
    must_run(dlcov + " report " + shell_quote(campaign));
    json total = json::parse(read_file(campaign + "/report/coverage.json"))["total"];
    // CRADLE runs the 16 seed executions first: at least what the comparison's runs covered.
    CHECK(total["lines"]["total"] == c.sancov.total.lines.total);
    CHECK(total["lines"]["covered"] >= c.sancov.total.lines.covered);
    CHECK(total["functions"]["covered"] >= c.sancov.total.functions.covered);
    CHECK(total["branches"]["total"] == 0);
}

TEST_CASE("sancov mode on tiny-dnn: a training run stopped by SIGKILL keeps what it ran", "[sancov][tinydnn]") {
    const Comparison& c = comparison();
    std::string work = scratch_dir("tinydnn-sancov-kill");
    std::string exec = framework_build_dir("tinydnn-sancov") + "/bin/dlcov-tinydnn-exec";
    // Training the VGG-like seed runs for minutes: `timeout` kills it after 5 s, its threads
    // counting as they go.
    CommandResult kill = run_command(
        "DLCOV_SANCOV_FILE=" + shell_quote(work + "/run-%p.sancov") + " timeout -s KILL 5 " + shell_quote(exec) +
        " --model " + shell_quote(c.work + "/seeds/vgg_like.model.json") + " --input " +
        shell_quote(c.work + "/seeds/vgg_like.input.json") + " --output " + shell_quote(work + "/out.json") +
        " --train 100000");
    CHECK(kill.exit_code == 137);
    std::string out = work + "/kill.json";
    must_run(shell_quote(DLCOV_EXE) + " measure --build " + shell_quote(framework_build_dir("tinydnn-sancov")) +
             " --profiles " + shell_quote(work) + " --strict --files --json " + shell_quote(out));
    json j = json::parse(read_file(out));
    CHECK(j["profiles"]["merged"] == 1);
    bool optimizer_ran = false;
    for (const json& f : j["files"])
        if (f["path"].get<std::string>().find("optimizers/optimizer.h") != std::string::npos)
            optimizer_ran = f["functions"]["covered"].get<int>() > 0;
    CHECK(optimizer_ran);
    // Training code, which the seed runs (prediction only) do not reach.
    size_t optimizer_functions = 0;
    for (const auto& [name, file] : c.sancov.function_file)
        if (file.find("optimizers/optimizer.h") != std::string::npos) {
            ++optimizer_functions;
            CHECK_FALSE(c.sancov.functions.at(name));
        }
    CHECK(optimizer_functions > 0);
}
