// Source builds (`dlcov instrument RECIPE --source DIR`): the steps the three framework recipes
// print with --dry-run in both modes, their errors, and the machinery proven on a real CMake
// build (tests/fixtures/source-build): the compile filter instruments core/ only, the build's
// numbers equal llvm-cov's and gcovr's, and path_remap brings moved paths back to the checkout.
#include "build_manifest.h"
#include "llvm_cov_report.h"
#include "measurement_pipeline.h"
#include "path_remap.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;
using json = nlohmann::json;

namespace {

const std::string kConfigs = std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/";
const std::string kFixture = std::string(DLCOV_SOURCE_DIR) + "/tests/fixtures/source-build";

CommandResult instrument(const std::string& config, const std::string& args) {
    return run_command(shell_quote(DLCOV_EXE) + " instrument " + shell_quote(config) + " " + args + " 2>&1");
}

// A folder with the recipe's marker files, which is all --dry-run looks at.
std::string fake_checkout(const std::string& name, const std::vector<std::string>& markers) {
    std::string dir = scratch_dir("source_build_" + name);
    for (const auto& marker : markers) write_file(dir + "/" + marker, "");
    return dir;
}

const std::vector<std::string> kTensorflowMarkers = {"configure.py", ".bazelversion", "tensorflow/core/kernels/BUILD",
                                                     "tensorflow/tools/pip_package/BUILD"};
const std::vector<std::string> kPytorchMarkers = {"setup.py", "torch/csrc/Module.cpp",
                                                  "aten/src/ATen/native/native_functions.yaml"};
const std::vector<std::string> kMxnetMarkers = {"CMakeLists.txt", "config/linux.cmake", "src/operator/nn/convolution.cc",
                                                "python/setup.py"};

// The line of the dry run that runs `program` (after the cd and the environment).
std::string step_running(const std::string& output, const std::string& program) {
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("cd ", 0) == 0 && line.find(" " + program + " ") != std::string::npos) return line;
    return "";
}

}  // namespace

TEST_CASE("tensorflow-src --dry-run prints the Bazel build with per-file coverage flags", "[source-build]") {
    std::string checkout = fake_checkout("tf", kTensorflowMarkers);
    std::string builds = scratch_dir("source_build_tf_builds");
    SECTION("mode llvm") {
        CommandResult r = instrument(kConfigs + "tensorflow-src.yaml", "--source " + checkout + " --dry-run --builds-dir " + builds);
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
        std::string bazel = step_running(r.output, "bazel");
        REQUIRE(!bazel.empty());
        CHECK_THAT(bazel, Contains("cd " + checkout + " && "));
        CHECK_THAT(bazel, Contains("bazel --output_base=" + builds + "/tensorflow-src/bazel-base build --config=opt"));
        for (const char* option : {"--spawn_strategy=standalone", "--strip=never", "--repo_env=CC=/usr/bin/clang-14",
                                   "--action_env=CXX=/usr/bin/clang++-14", "--linkopt=-fprofile-instr-generate",
                                   "//tensorflow/tools/pip_package:build_pip_package", "TF_NEED_CLANG=1"})
            CHECK_THAT(bazel, Contains(option));
        // The instrumentation filter: only the kernels, the framework and the runtime.
        CHECK_THAT(bazel, Contains("'--per_file_copt=+tensorflow/core/kernels/.*,+tensorflow/core/framework/.*,"
                                   "+tensorflow/core/common_runtime/.*@-fprofile-instr-generate,-fcoverage-mapping,"
                                   "-fprofile-update=atomic,-mllvm,-runtime-counter-relocation,"
                                   "-fcoverage-compilation-dir=" + checkout + "'"));
        CHECK_THAT(bazel, !Contains("--copt="));
        CHECK_THAT(r.output, Contains("PYTHON_BIN_PATH=" + builds + "/tensorflow-src/venv/bin/python"));
        CHECK_THAT(r.output, Contains("TF_NEED_CUDA=0"));
        CHECK_THAT(r.output, Contains("bazel-bin/tensorflow/tools/pip_package/build_pip_package " + builds +
                                      "/tensorflow-src/wheels"));
        CHECK_THAT(r.output, Contains("--force-reinstall " + builds + "/tensorflow-src/wheels/tensorflow-2.15.1-*.whl"));
        CHECK_THAT(r.output, Contains("LLVM_PROFILE_FILE=" + builds +
                                      "/tensorflow-src/layout-probe/probe-%p-%m%c.profraw " + builds +
                                      "/tensorflow-src/venv/bin/python -c 'import tensorflow'"));
        CHECK_THAT(r.output, Contains("# path_remap: " + builds + "/tensorflow-src/bazel-base/execroot/org_tensorflow -> " +
                                      checkout));
        CHECK(!fs::exists(builds + "/tensorflow-src"));  // a dry run makes nothing
    }
    SECTION("mode gcov") {
        CommandResult r = instrument(kConfigs + "tensorflow-src.yaml",
                                     "--source " + checkout + " --mode gcov --dry-run --builds-dir " + builds);
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
        std::string bazel = step_running(r.output, "bazel");
        CHECK_THAT(bazel, Contains("--output_base=" + builds + "/tensorflow-src-gcov/bazel-base"));
        CHECK_THAT(bazel, Contains("--repo_env=CC=/usr/bin/gcc-12"));
        CHECK_THAT(bazel, Contains("--per_file_copt=+tensorflow/core/kernels/.*,+tensorflow/core/framework/.*,"
                                   "+tensorflow/core/common_runtime/.*@--coverage,-DDLCOV_COVERAGE_GCOV=1,"
                                   "-fprofile-update=atomic,-fprofile-abs-path"));
        CHECK_THAT(bazel, Contains("--linkopt=--coverage"));
        CHECK_THAT(bazel, Contains("--spawn_strategy=standalone"));
        CHECK_THAT(bazel, Contains("TF_NEED_CLANG=0"));
        CHECK_THAT(r.output, Contains("# notes files (.gcno) found under: " + builds +
                                      "/tensorflow-src-gcov/bazel-base/execroot/org_tensorflow/bazel-out"));
        CHECK_THAT(r.output, !Contains("layout probe"));
    }
}

TEST_CASE("pytorch-src and mxnet-src --dry-run print setup.py and CMake builds through the compile filter",
          "[source-build]") {
    std::string builds = scratch_dir("source_build_builds");
    std::string filter = fs::path(DLCOV_EXE).parent_path().string() + "/dlcov-compile-filter";
    SECTION("pytorch, mode llvm") {
        std::string checkout = fake_checkout("pytorch", kPytorchMarkers);
        CommandResult r = instrument(kConfigs + "pytorch-src.yaml", "--source " + checkout + " --dry-run --builds-dir " + builds);
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
        std::string wheel = step_running(r.output, "wheel");
        REQUIRE(!wheel.empty());
        CHECK_THAT(wheel, Contains(builds + "/pytorch-src/venv/bin/python -m pip wheel --no-input --no-build-isolation "
                                   "--no-deps -v -w " + builds + "/pytorch-src/wheels " + checkout));
        for (const std::string& env : std::vector<std::string>{
                 "CC=/usr/bin/clang-14", "CXX=/usr/bin/clang++-14", "CMAKE_CXX_COMPILER_LAUNCHER=" + filter, "USE_CUDA=0",
                 "BUILD_TEST=0", "USE_CPP_CODE_COVERAGE=0", "LDFLAGS='-fprofile-instr-generate -fuse-ld=lld'", "MAX_JOBS="})
            CHECK_THAT(wheel, Contains(" " + env));
        CHECK_THAT(wheel, Contains("DLCOV_INSTRUMENT_PATHS='" + checkout + "/aten/src/ATen;" + checkout + "/c10;" +
                                   checkout + "/torch/csrc'"));
        CHECK_THAT(wheel, Contains("DLCOV_COVERAGE_FLAGS='-fprofile-instr-generate;-fcoverage-mapping;"
                                   "-fprofile-update=atomic;-mllvm;-runtime-counter-relocation;"
                                   "-fcoverage-compilation-dir=" + checkout + "'"));
        CHECK_THAT(r.output, Contains("-m venv " + builds + "/pytorch-src/venv"));
        CHECK_THAT(r.output, Contains("-r " + kConfigs + "pins/pytorch-src.txt"));
        CHECK_THAT(r.output, Contains("-c 'import torch'"));
    }
    SECTION("pytorch, mode gcov") {
        std::string checkout = fake_checkout("pytorch", kPytorchMarkers);
        CommandResult r = instrument(kConfigs + "pytorch-src.yaml",
                                     "--source " + checkout + " --mode gcov --dry-run --builds-dir " + builds);
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
        std::string wheel = step_running(r.output, "wheel");
        CHECK_THAT(wheel, Contains(" CXX=/usr/bin/g++-12"));
        CHECK_THAT(wheel, Contains(" LDFLAGS=--coverage "));
        CHECK_THAT(wheel, Contains("DLCOV_COVERAGE_FLAGS='--coverage;-DDLCOV_COVERAGE_GCOV=1;-fprofile-update=atomic;"
                                   "-fprofile-abs-path'"));
        CHECK_THAT(r.output, Contains("# notes files (.gcno) found under: " + checkout + "/build"));
    }
    SECTION("mxnet, both modes") {
        std::string checkout = fake_checkout("mxnet", kMxnetMarkers);
        for (std::string mode : {"llvm", "gcov"}) {
            CommandResult r = instrument(kConfigs + "mxnet-src.yaml",
                                         "--source " + checkout + " --mode " + mode + " --dry-run --builds-dir " + builds);
            INFO(r.output);
            REQUIRE(r.exit_code == 0);
            std::string build = builds + (mode == "llvm" ? "/mxnet-src" : "/mxnet-src-gcov");
            std::string configure = step_running(r.output, "-S");
            CHECK_THAT(configure, Contains("cmake -S " + checkout + " -B " + build + "/cmake"));
            CHECK_THAT(configure, Contains("-DCMAKE_CXX_COMPILER_LAUNCHER=" + filter));
            CHECK_THAT(configure, Contains("-C" + checkout + "/config/linux.cmake -DCMAKE_BUILD_TYPE=Release -DUSE_CUDA=OFF"));
            CHECK_THAT(configure, Contains("DLCOV_INSTRUMENT_PATHS='" + checkout + "/src;" + checkout + "/include/mxnet'"));
            CHECK_THAT(configure, Contains(mode == "llvm" ? " -DCMAKE_SHARED_LINKER_FLAGS=-fprofile-instr-generate "
                                                          : " -DCMAKE_SHARED_LINKER_FLAGS=--coverage "));
            CHECK_THAT(step_running(r.output, "--build"), Contains("cmake --build " + build + "/cmake --parallel"));
            CHECK_THAT(r.output, Contains("MXNET_LIBRARY_PATH=" + build + "/cmake/libmxnet.so"));
            CHECK_THAT(r.output, Contains("--force-reinstall " + checkout + "/python"));
        }
    }
}

TEST_CASE("source-build errors name the recipe's file and line", "[source-build]") {
    std::string builds = scratch_dir("source_build_error_builds");
    std::string recipe = kConfigs + "tensorflow-src.yaml";
    SECTION("no --source") {
        CommandResult r = instrument(recipe, "--dry-run");
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Contains("is a source-build recipe: name the TensorFlow checkout with --source DIR"));
    }
    SECTION("a checkout of something else") {
        std::string other = fake_checkout("not_tf", kPytorchMarkers);
        CommandResult r = instrument(recipe, "--source " + other + " --dry-run");
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Contains(recipe + ":16: key 'markers': " + other +
                                      " is not a checkout of TensorFlow: it has no configure.py"));
    }
    SECTION("--source on a config that is not a recipe") {
        CommandResult r = instrument(kConfigs + "tinydnn.yaml", "--source /tmp --dry-run");
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Contains("--source, --mode and --dry-run are for source-build recipes"));
    }
    SECTION("a mode dlcov does not build from source") {
        CommandResult r = instrument(recipe, "--source /tmp --mode sancov --dry-run");
        CHECK(r.exit_code != 0);
        CHECK_THAT(r.output, Contains("--mode"));
    }
    std::string dir = scratch_dir("source_build_bad_recipes");
    write_file(dir + "/c.yaml", "framework: f\nrules:\n  - {glob: \"**\", component: api}\n");
    write_file(dir + "/src/marker", "");
    auto bad = [&](const std::string& build_section) {
        std::string path = dir + "/recipe.yaml";
        write_file(path, "name: r\nframework: R\nversion: '1'\ncomponent_map: c.yaml\nbuild:\n" + build_section);
        return instrument(path, "--source " + dir + "/src --dry-run --builds-dir " + builds);
    };
    const std::string rest = "  markers: [marker]\n  objects: [\"{build}/x.so\"]\n  layout_probe: [\"{python}\"]\n";
    SECTION("an unknown build system") {
        CommandResult r = bad("  system: make\n  llvm: {cc: clang-14, cxx: clang++-14}\n" + rest);
        CHECK_THAT(r.output, Contains(dir + "/recipe.yaml:6: key 'system': expected bazel, cmake or setuptools, not 'make'"));
    }
    SECTION("a misspelt placeholder") {
        CommandResult r = bad("  system: cmake\n  llvm: {cc: clang-14, cxx: clang++-14}\n  options: [\"-DX={sorce}\"]\n" + rest);
        CHECK_THAT(r.output, Contains(dir + "/recipe.yaml:8: key 'options': unknown placeholder {sorce}"));
    }
    SECTION("mode llvm with a compiler that is not clang") {
        CommandResult r = bad("  system: cmake\n  llvm: {cc: gcc-12, cxx: g++-12}\n" + rest);
        CHECK_THAT(r.output, Contains(dir + "/recipe.yaml:7: key 'cc': /usr/bin/gcc-12 is not clang"));
    }
    SECTION("a mode the recipe lacks") {
        CommandResult r = bad("  system: cmake\n  llvm: {cc: clang-14, cxx: clang++-14}\n" + rest);
        CommandResult g = instrument(dir + "/recipe.yaml", "--source " + dir + "/src --mode gcov --dry-run");
        CHECK(r.exit_code == 0);
        CHECK_THAT(g.output, Contains(dir + "/recipe.yaml:5: key 'build': the recipe has no gcov: section (it builds llvm)"));
    }
    SECTION("a key of the other kind of config") {
        CommandResult r = bad("  system: cmake\n  llvm: {cc: clang-14, cxx: clang++-14}\n  flags: [-O2]\n" + rest);
        CHECK_THAT(r.output, Contains(dir + "/recipe.yaml:8: key 'flags'"));
    }
}

TEST_CASE("path remapping replaces whole leading folders", "[source-build]") {
    PathRemap remap{{{"/execroot/org_tf", "/src/tf"}, {"/proc/self/cwd/", "/src/tf"}}};
    CHECK(remap.apply("/execroot/org_tf/tensorflow/core/kernels/a.cc") == "/src/tf/tensorflow/core/kernels/a.cc");
    CHECK(remap.apply("/proc/self/cwd/tensorflow/b.cc") == "/src/tf/tensorflow/b.cc");
    CHECK(remap.apply("/execroot/org_tflite/x.cc") == "/execroot/org_tflite/x.cc");  // not the same folder
    CHECK(remap.apply("/usr/include/c++/12/vector") == "/usr/include/c++/12/vector");
    // It survives build.json.
    std::string dir = scratch_dir("path_remap_manifest");
    BuildManifest m;
    m.name = m.framework = m.version = "x";
    m.mode = "gcov";
    m.source_root = "/src/tf";
    m.gcov_notes = {"/n.gcno"};
    m.gcov = "/usr/bin/gcov-12";
    m.path_remap = remap;
    write_manifest(m, dir + "/build.json");
    CHECK(load_manifest(dir + "/build.json").path_remap.rules == remap.rules);
}

namespace {

struct FixtureBuild {
    std::string builds, build;
    BuildManifest manifest;
};

FixtureBuild build_fixture(const std::string& name, const std::string& mode, const std::string& recipe) {
    FixtureBuild f;
    f.builds = scratch_dir(name);
    CommandResult r = instrument(recipe, "--source " + kFixture + "/checkout --mode " + mode + " --builds-dir " + f.builds);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    f.build = f.builds + (mode == "llvm" ? "/fixture-src" : "/fixture-src-gcov");
    f.manifest = load_manifest(f.build);
    return f;
}

std::map<std::string, std::string> filter_decisions(const std::string& build) {
    std::map<std::string, std::string> out;
    std::istringstream in(read_file(build + "/logs/compiles.tsv"));
    for (std::string line; std::getline(in, line);) {
        size_t tab = line.find('\t');
        out[fs::path(line.substr(tab + 1)).lexically_relative(kFixture + "/checkout").string()] = line.substr(0, tab);
    }
    return out;
}

const std::map<std::string, std::string> kExpectedDecisions = {{"core/ops.cpp", "instrumented"},
                                                               {"core/graph.cpp", "instrumented"},
                                                               {"core/run.cpp", "instrumented"},
                                                               {"third_party/vendored.cpp", "plain"}};

}  // namespace

TEST_CASE("a real CMake source build in mode llvm: only core/ instrumented, numbers equal llvm-cov's",
          "[source-build][llvm]") {
    FixtureBuild f = build_fixture("source_build_llvm", "llvm", kFixture + "/recipe.yaml");
    CHECK(filter_decisions(f.build) == kExpectedDecisions);
    CHECK(f.manifest.mode == "llvm");
    CHECK(f.manifest.llvm_major == 14);
    CHECK(f.manifest.source_root == kFixture + "/checkout");
    CHECK(f.manifest.objects == std::vector<std::string>{f.build + "/cmake/fwrun", f.build + "/cmake/libfwlib.so"});
    REQUIRE(fs::is_regular_file(f.manifest.layout_profile));

    std::string profiles = scratch_dir("source_build_llvm_profiles");
    must_run("LLVM_PROFILE_FILE=" + shell_quote(profiles + "/run-%p-%m%c.profraw") + " " +
             shell_quote(f.build + "/cmake/fwrun") + " 3 5");
    std::vector<std::string> raw;
    for (const auto& e : fs::directory_iterator(profiles)) raw.push_back(e.path().string());
    CHECK(raw.size() == 2);  // one per instrumented object (%m)
    ProfileMeasurement m = MeasurementPipeline(f.manifest).measure(raw);
    ReferenceReport reference = llvm_cov_report(f.manifest.objects, raw, scratch_dir("source_build_llvm_ref"));
    std::set<std::string> files;
    for (const auto& file : m.measurement.files) {
        files.insert(file.path);
        // llvm-cov report names the files below their common folder: core/ is that folder here.
        std::string name = fs::path(file.path).filename().string();
        INFO(file.path);
        REQUIRE(reference.files.count(name));
        const ReferenceRow& row = reference.files.at(name);
        CHECK(file.tally.lines.total == row.lines);
        CHECK(file.tally.lines.covered == row.lines - row.missed_lines);
        CHECK(file.tally.functions.total == row.functions);
        CHECK(file.tally.branches.total == row.branches);
    }
    CHECK(files == std::set<std::string>{"core/graph.cpp", "core/ops.cpp", "core/run.cpp"});  // no third_party/
    CHECK(m.measurement.total.lines.total == reference.total.lines);
    CHECK(m.measurement.total.lines.covered == reference.total.lines - reference.total.missed_lines);
    CHECK(m.measurement.total.functions.covered == reference.total.functions - reference.total.missed_functions);
    CHECK(m.measurement.total.branches.covered == reference.total.branches - reference.total.missed_branches);
    CHECK(m.measurement.total.functions.covered + 1 == m.measurement.total.functions.total);  // unused_pass

    SECTION("path_remap brings paths the build moved back to the checkout") {
        // The compiler records the sources under /dlcov-moved (as Bazel's execroot would).
        std::string recipe = read_file(kFixture + "/recipe.yaml");
        recipe = std::regex_replace(recipe, std::regex("options: \\[-DCMAKE_BUILD_TYPE=Release\\]"),
                                    "options: [-DCMAKE_BUILD_TYPE=Release, \"-DCMAKE_CXX_FLAGS=-fcoverage-prefix-map={source}=/dlcov-moved\"]\n"
                                    "  path_remap: [{from: /dlcov-moved, to: \"{source}\"}]");
        std::string moved_recipe = scratch_dir("source_build_moved_recipe") + "/recipe.yaml";
        write_file(moved_recipe, std::regex_replace(recipe, std::regex("components.yaml"), kFixture + "/components.yaml"));
        FixtureBuild moved = build_fixture("source_build_moved", "llvm", moved_recipe);
        REQUIRE(moved.manifest.path_remap.rules.size() == 1);
        std::string moved_profiles = scratch_dir("source_build_moved_profiles");
        must_run("LLVM_PROFILE_FILE=" + shell_quote(moved_profiles + "/run-%p-%m%c.profraw") + " " +
                 shell_quote(moved.build + "/cmake/fwrun") + " 3 5");
        // llvm-cov sees the moved paths; dlcov's measurement the checkout's, with the same numbers.
        std::vector<std::string> moved_raw;
        for (const auto& e : fs::directory_iterator(moved_profiles)) moved_raw.push_back(e.path().string());
        std::string ref_dir = scratch_dir("source_build_moved_ref");
        ReferenceReport moved_reference = llvm_cov_report(moved.manifest.objects, moved_raw, ref_dir);
        CHECK(moved_reference.total.lines == reference.total.lines);
        CommandResult sources = must_run("llvm-cov-14 export -format=lcov -instr-profile " +
                                         shell_quote(ref_dir + "/reference.profdata") + " " +
                                         shell_quote(moved.manifest.objects[0]) + " -object " +
                                         shell_quote(moved.manifest.objects[1]) + " | grep '^SF:'");
        CHECK_THAT(sources.output, Contains("SF:/dlcov-moved/core/ops.cpp"));
        MeasurementPipeline pipeline(moved.manifest);
        ProfileMeasurement mm = pipeline.measure(moved_raw);
        std::set<std::string> moved_files;
        for (const auto& file : mm.measurement.files) moved_files.insert(file.path);
        CHECK(moved_files == files);
        CHECK(mm.measurement.total.lines.covered == m.measurement.total.lines.covered);
        for (const auto& file : pipeline.layout().files) CHECK_THAT(file.path, Contains(kFixture + "/checkout/core/"));
    }
}

TEST_CASE("a real CMake source build in mode gcov: only core/ instrumented, numbers equal gcovr's",
          "[source-build][gcov]") {
    FixtureBuild f = build_fixture("source_build_gcov", "gcov", kFixture + "/recipe.yaml");
    CHECK(filter_decisions(f.build) == kExpectedDecisions);
    CHECK(f.manifest.mode == "gcov");
    CHECK(f.manifest.gcov == "/usr/bin/gcov-12");
    std::set<std::string> notes;
    for (const auto& n : f.manifest.gcov_notes) notes.insert(fs::path(n).filename().string());
    CHECK(notes == std::set<std::string>{"graph.cpp.gcno", "ops.cpp.gcno", "run.cpp.gcno"});

    // Two runs adding into the data files next to the notes: gcovr's input, and dlcov's.
    for (const char* args : {" 3 5", " 6 -2"}) must_run(shell_quote(f.build + "/cmake/fwrun") + args);
    std::string tree = f.build + "/cmake";
    std::string summary = f.builds + "/gcovr.json";
    must_run("cd " + shell_quote(tree) + " && gcovr --root " + shell_quote(kFixture + "/checkout") +
             " --gcov-executable gcov-12 --json-summary " + shell_quote(summary) + " .");
    json gcovr = json::parse(read_file(summary));
    ProfileMeasurement m = MeasurementPipeline(f.manifest).measure({tree});
    INFO(gcovr.dump());
    CHECK(m.skipped.empty());
    CHECK(m.measurement.total.lines.covered == gcovr["line_covered"]);
    CHECK(m.measurement.total.lines.total == gcovr["line_total"]);
    CHECK(m.measurement.total.branches.covered == gcovr["branch_covered"]);
    CHECK(m.measurement.total.branches.total == gcovr["branch_total"]);
    CHECK(m.measurement.total.functions.covered == gcovr["function_covered"]);
    CHECK(m.measurement.total.functions.total == gcovr["function_total"]);
    std::set<std::string> files;
    for (const auto& file : m.measurement.files) files.insert(file.path);
    CHECK(files == std::set<std::string>{"core/graph.cpp", "core/ops.cpp", "core/run.cpp"});
}
