// `dlcov instrument`: framework configs, the manifest, and a small fake framework built end to
// end through the real `dlcov` binary (a few seconds of clang).
#include "build_manifest.h"
#include "compiler.h"
#include "error.h"
#include "framework_config.h"
#include "input_hash.h"
#include "measurement_pipeline.h"
#include "sancov_layer.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;

namespace {

// The error message of loading `yaml` as a framework config, or "" when it loads.
std::string config_error_of(const std::string& dir, const std::string& yaml) {
    std::string path = dir + "/framework.yaml";
    write_file(path, yaml);
    try {
        load_framework_config(path);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

const char* kValidConfig =
    "name: fake\n"                         // 1
    "framework: fake-dnn\n"                // 2
    "version: 0.1\n"                       // 3
    "source:\n"                            // 4
    "  copy: fw/fake\n"                    // 5
    "component_map: components.yaml\n"     // 6
    "compiler: clang++-14\n"               // 7
    "flags: [-std=c++17, -O0]\n"           // 8
    "targets:\n"                           // 9
    "  - name: fake-app\n"                 // 10
    "    sources: [app/main.cpp]\n";       // 11

std::string dlcov_instrument(const std::string& config, const std::string& builds_dir,
                             const std::string& extra, CommandResult* result) {
    std::string command = shell_quote(DLCOV_EXE) + " instrument " + shell_quote(config) +
                          " --builds-dir " + shell_quote(builds_dir) + " " + extra;
    *result = run_command(command);
    return result->output;
}

// A header-only "framework" with two headers, a shimmed system include and two targets.
void write_fake_framework(const std::string& dir) {
    write_file(dir + "/fw/fake/core.h",
               "#pragma once\n"
               "#include \"fake/ops.h\"\n"
               "#include <sysinc/extra.h>\n"
               "inline int fake_run(int x) { return x > 0 ? fake_twice(x) + extra_one() : 0; }\n");
    write_file(dir + "/fw/fake/ops.h",
               "#pragma once\n"
               "inline int fake_twice(int x) {\n"
               "    if (x > 100) return 0;\n"
               "    return 2 * x;\n"
               "}\n");
    write_file(dir + "/system/extra.h", "#pragma once\ninline int extra_one() { return 1; }\n");
    write_file(dir + "/app/local.h", "#pragma once\nconstexpr int kInput = 20;\n");
    write_file(dir + "/app/main.cpp",
               "#include \"fake/core.h\"\n#include \"local.h\"\n#include <cstdio>\n"
               "int main() { std::printf(\"fake %d\\n\", fake_run(kInput)); }\n");
    write_file(dir + "/app2/main.cpp",
               "#include \"fake/core.h\"\nint main() { return fake_run(-1); }\n");
    write_file(dir + "/components.yaml", "framework: fake\nrules:\n  - {glob: \"**\", component: api}\n");
    write_file(dir + "/fake.yaml",
               "name: fake\n"
               "framework: fake-dnn\n"
               "version: 0.1\n"
               "source: {copy: fw/fake, as: fake}\n"
               "system_includes:\n"
               "  - {link: sysinc, to: system}\n"
               "component_map: components.yaml\n"
               "compiler: clang++-14\n"
               "flags: [-std=c++17, -O0]\n"
               "targets:\n"
               "  - {name: fake-app, sources: [app/main.cpp]}\n"
               "  - {name: fake-app2, sources: [app2/main.cpp]}\n");
}

}  // namespace

TEST_CASE("framework config errors name file, line and key", "[instrument]") {
    std::string dir = scratch_dir("instrument_config_errors");
    std::string file = dir + "/framework.yaml";
    std::string yaml = kValidConfig;
    REQUIRE(config_error_of(dir, yaml) == "");

    SECTION("unknown top-level key") {
        CHECK_THAT(config_error_of(dir, yaml + "optimize: yes\n"),
                   Contains(file + ":12: key 'optimize'") && Contains("unknown key"));
    }
    SECTION("missing key") {
        std::string without_compiler = std::regex_replace(yaml, std::regex("compiler: clang\\+\\+-14\n"), "");
        CHECK_THAT(config_error_of(dir, without_compiler),
                   Contains(file + ":1: key 'compiler'") && Contains("missing"));
    }
    SECTION("wrong shape") {
        std::string flags_scalar = std::regex_replace(yaml, std::regex("flags: .*\n"), "flags: -O2\n");
        CHECK_THAT(config_error_of(dir, flags_scalar), Contains(file + ":8: key 'flags'"));
    }
    SECTION("unknown key inside a target") {
        std::string typo = std::regex_replace(yaml, std::regex("    sources:"), "    source:");
        CHECK_THAT(config_error_of(dir, typo), Contains(file + ":11: key 'source'"));
    }
    SECTION("unsupported mode") {
        CHECK_THAT(config_error_of(dir, yaml + "mode: afl\n"),
                   Contains(file + ":12: key 'mode'") && Contains("supported: llvm, gcov, sancov, python"));
    }
    SECTION("sancov mode with a flag that turns off the line tables it reads") {
        std::string no_debug = std::regex_replace(yaml, std::regex("flags: .*\n"), "flags: [-O1, -g0]\n");
        CHECK(config_error_of(dir, no_debug) == "");  // llvm mode needs no debug information
        CHECK_THAT(config_error_of(dir, no_debug + "mode: sancov\n"),
                   Contains(file + ":8: key 'flags'") && Contains("'-g0' turns off the debug information"));
        CHECK(config_error_of(dir, yaml + "mode: sancov\n") == "");
    }
    SECTION("counters other than atomic or plain") {
        CHECK_THAT(config_error_of(dir, yaml + "counters: fast\n"),
                   Contains(file + ":12: key 'counters'") && Contains("expected atomic or plain"));
    }
    SECTION("a name that is not a plain folder name") {
        std::string bad = std::regex_replace(yaml, std::regex("name: fake\n"), "name: ../up\n");
        CHECK_THAT(config_error_of(dir, bad), Contains(file + ":1: key 'name'"));
    }
    SECTION("duplicate target") {
        CHECK_THAT(config_error_of(dir, yaml + "  - {name: fake-app, sources: [b.cpp]}\n"),
                   Contains(file + ":12: key 'name'") && Contains("defined twice"));
    }
    SECTION("invalid YAML") {
        CHECK_THAT(config_error_of(dir, yaml + "flags: [unclosed\n"), Contains(file + ":"));
    }
    SECTION("through the command: exit 2 with the same message") {
        write_file(file, yaml + "optimize: yes\n");
        CommandResult result;
        dlcov_instrument(file, dir + "/builds", "", &result);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.output, Contains(file + ":12: key 'optimize'"));
    }
}

TEST_CASE("python framework configs: keys of the mode, errors with file and line", "[instrument][python]") {
    std::string dir = scratch_dir("python_config");
    const std::string head = "name: fw\nframework: F\nversion: '1'\ncomponent_map: c.yaml\nmode: python\n";
    CHECK(config_error_of(dir, head + "environment: {requirements: r.txt, packages: [fw]}\n") == "");
    CHECK_THAT(config_error_of(dir, head + "environment: {requirements: r.txt, packages: [fw]}\ncompiler: clang++-14\n"),
               Contains("framework.yaml:7: key 'compiler'"));
    CHECK_THAT(config_error_of(dir, head), Contains("key 'environment': missing"));
    CHECK_THAT(config_error_of(dir, head + "environment: {requirements: r.txt}\n"),
               Contains("framework.yaml:6: key 'packages'"));
    CHECK_THAT(config_error_of(dir, head + "environment: {requirements: r.txt, packages: [my-pkg]}\n"),
               Contains("'my-pkg' is not a Python package name"));
    CHECK_THAT(config_error_of(dir, head + "environment: {packages: [fw]}\n"),
               Contains("nothing would install the package"));
    CHECK_THAT(config_error_of(dir, head + "environment: {requirements: r.txt, packages: [fw], system_site_packages: yes}\n"),
               Contains("key 'system_site_packages': expected true or false"));
    CHECK_THAT(config_error_of(dir, "name: fw\nframework: F\nversion: '1'\ncomponent_map: c.yaml\nmode: gcovr\n"),
               Contains("'gcovr' is not a coverage mode"));

    for (const char* name : {"pytorch", "tensorflow", "mxnet"}) {
        FrameworkConfig c = load_framework_config(std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/" + name + ".yaml");
        CHECK(c.mode == "python");
        CHECK(fs::is_regular_file(c.component_map));
        CHECK(fs::is_regular_file(c.environment.requirements.empty() ? c.environment.debian_packages
                                                                     : c.environment.requirements));
    }
}

TEST_CASE("relative paths in a framework config resolve against its folder", "[instrument]") {
    std::string dir = scratch_dir("instrument_config_paths");
    write_file(dir + "/framework.yaml", kValidConfig);
    FrameworkConfig config = load_framework_config(dir + "/framework.yaml");
    CHECK(config.source_copy == dir + "/fw/fake");
    CHECK(config.source_as == "fake");
    CHECK(config.component_map == dir + "/components.yaml");
    REQUIRE(config.targets.size() == 1);
    CHECK(config.targets[0].sources == std::vector<std::string>{dir + "/app/main.cpp"});
    CHECK(config.mode == "llvm");
    CHECK(config.version == "0.1");
}

TEST_CASE("the tiny-dnn framework config loads", "[instrument]") {
    FrameworkConfig config =
        load_framework_config(std::string(DLCOV_SOURCE_DIR) + "/configs/frameworks/tinydnn.yaml");
    CHECK(config.name == "tinydnn");
    CHECK(config.debian_package == "tiny-dnn");
    CHECK(config.source_copy == "/usr/include/tiny_dnn");
    CHECK(config.source_as == "tiny_dnn");
    REQUIRE(config.system_includes.size() == 1);
    CHECK(config.system_includes[0].link == "third_party/stb");
    CHECK(config.mode == "llvm");
    REQUIRE(config.targets.size() == 2);
    CHECK(config.targets[0].name == "dlcov-tinydnn-exec");
    CHECK(config.targets[1].name == "dlcov-tinydnn-api");
    CHECK(config.component_map == std::string(DLCOV_SOURCE_DIR) + "/configs/components/tinydnn.yaml");
}

TEST_CASE("FNV-1a 64 matches the published test vectors", "[instrument]") {
    CHECK(Fnv1a64().hex() == "cbf29ce484222325");
    Fnv1a64 a;
    a.add("a");
    CHECK(a.hex() == "af63dc4c8601ec8c");
    Fnv1a64 foobar;
    foobar.add("foobar");
    CHECK(foobar.hex() == "85944171f73967e8");
}

TEST_CASE("the LLVM major version comes from clang's --version", "[instrument]") {
    CHECK(llvm_major_of_version("Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu\n") == 14);
    CHECK(llvm_major_of_version("Ubuntu clang version 17.0.0 (++20230101)") == 17);
    CHECK_FALSE(llvm_major_of_version("g++ (Debian 12.2.0-14) 12.2.0").has_value());
    CompilerInfo clang = probe_compiler("clang++-14", "/");
    CHECK(clang.path == "/usr/bin/clang++-14");
    CHECK(clang.llvm_major == 14);
    CHECK_THROWS_WITH(probe_compiler("dlcov-no-such-compiler", "/"), Contains("not found on PATH"));
}

TEST_CASE("load_manifest names the file it cannot use", "[instrument]") {
    std::string dir = scratch_dir("instrument_bad_manifest");
    CHECK_THROWS_WITH(load_manifest(dir), Contains(dir + "/build.json") && Contains("dlcov instrument"));
    write_file(dir + "/build.json", "{\"name\": \"x\",");
    CHECK_THROWS_WITH(load_manifest(dir), Contains(dir + "/build.json") && Contains("not a valid"));
    write_file(dir + "/build.json", "{\"name\": \"x\"}");
    CHECK_THROWS_WITH(load_manifest(dir + "/build.json"),
                      Contains(dir + "/build.json") && Contains("'framework'"));
}

TEST_CASE("inputs that do not exist are reported with their key", "[instrument]") {
    std::string dir = scratch_dir("instrument_missing_inputs");
    write_fake_framework(dir);
    std::string config = dir + "/fake.yaml";
    CommandResult result;

    SECTION("a Debian package that is not installed") {
        write_file(config, read_file(config) + "debian_package: dlcov-no-such-package\n");
        dlcov_instrument(config, dir + "/builds", "", &result);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.output, Contains(config + ":13: key 'debian_package'") &&
                                      Contains("dlcov-no-such-package") && Contains("tools/install-deps"));
    }
    SECTION("a missing target source") {
        fs::remove(dir + "/app2/main.cpp");
        dlcov_instrument(config, dir + "/builds", "", &result);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.output, Contains(config + ":12: key 'sources'") && Contains("app2/main.cpp"));
    }
    SECTION("a missing component map") {
        fs::remove(dir + "/components.yaml");
        dlcov_instrument(config, dir + "/builds", "", &result);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.output, Contains(config + ":7: key 'component_map'"));
    }
    CHECK_FALSE(fs::exists(dir + "/builds/fake/build.json"));
}

TEST_CASE("instrument builds a fake framework end to end", "[instrument]") {
    std::string dir = scratch_dir("instrument_fake");
    write_fake_framework(dir);
    std::string config = dir + "/fake.yaml";
    std::string builds = dir + "/builds";
    std::string build = builds + "/fake";
    CommandResult result;

    dlcov_instrument(config, builds, "--jobs 2", &result);
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.output, Contains("instrument: compiling fake-app (") &&
                                  Contains("instrument: built fake in"));

    // The tree: the copy, the shim symlink, the executables, the manifest.
    CHECK(read_file(build + "/src/fake/ops.h") == read_file(dir + "/fw/fake/ops.h"));
    CHECK(fs::is_symlink(build + "/shim/sysinc"));
    BuildManifest manifest = load_manifest(build);
    CHECK(manifest.name == "fake");
    CHECK(manifest.framework == "fake-dnn");
    CHECK(manifest.version == "0.1");
    CHECK(manifest.mode == "llvm");
    CHECK(manifest.compiler_path == "/usr/bin/clang++-14");
    CHECK_THAT(manifest.compiler_version, Contains("clang version 14."));
    CHECK(manifest.llvm_major == 14);
    for (const char* flag : {"-fprofile-instr-generate", "-fcoverage-mapping", "-fprofile-update=atomic",
                             "-runtime-counter-relocation", "-std=c++17", "-O0"})
        CHECK(std::count(manifest.flags.begin(), manifest.flags.end(), flag) == 1);
    CHECK(std::count(manifest.flags.begin(), manifest.flags.end(), "/usr/include") == 0);
    CHECK(manifest.source_root == build + "/src");
    CHECK(manifest.objects == std::vector<std::string>{build + "/bin/fake-app", build + "/bin/fake-app2"});
    CHECK(manifest.targets.at("fake-app") == build + "/bin/fake-app");
    CHECK(manifest.component_map == dir + "/components.yaml");
    CHECK(manifest.config == config);
    CHECK(std::regex_match(manifest.input_hash, std::regex("fnv1a64:[0-9a-f]{16}")));
    CHECK(std::regex_match(manifest.built_at, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    for (const auto& object : manifest.objects) CHECK(fs::exists(object));

    // The executables are instrumented: running one writes a raw profile.
    std::string profiles = scratch_dir("instrument_fake_profiles");
    CommandResult run = run_command("LLVM_PROFILE_FILE=" + shell_quote(profiles + "/%c%p.profraw") + " " +
                                    shell_quote(build + "/bin/fake-app"));
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, Contains("fake 41"));
    auto profile_count = std::distance(fs::directory_iterator(profiles), fs::directory_iterator());
    CHECK(profile_count == 1);

    // Unchanged inputs: no recompile.
    auto built_time = fs::last_write_time(build + "/bin/fake-app");
    dlcov_instrument(config, builds, "", &result);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.output, Contains("instrument: fake is up to date (" + build + ")"));
    CHECK_THAT(result.output, !Contains("compiling"));
    CHECK(fs::last_write_time(build + "/bin/fake-app") == built_time);

    SECTION("counters: plain rebuilds without atomic increments") {
        write_file(config, read_file(config) + "counters: plain\n");
        dlcov_instrument(config, builds, "", &result);
        CHECK(result.exit_code == 0);
        CHECK_THAT(result.output, Contains("compiling fake-app"));
        std::vector<std::string> flags = load_manifest(build).flags;
        CHECK(std::count(flags.begin(), flags.end(), "-fprofile-update=atomic") == 0);
        CHECK(std::count(flags.begin(), flags.end(), "-fcoverage-mapping") == 1);
    }
    SECTION("a changed framework header rebuilds") {
        write_file(dir + "/fw/fake/ops.h", read_file(dir + "/fw/fake/ops.h") + "// changed\n");
        dlcov_instrument(config, builds, "", &result);
        CHECK(result.exit_code == 0);
        CHECK_THAT(result.output, Contains("compiling fake-app"));
        CHECK(fs::last_write_time(build + "/bin/fake-app") != built_time);
        CHECK_THAT(read_file(build + "/src/fake/ops.h"), Contains("// changed"));
    }
    SECTION("a changed header beside a target source rebuilds") {
        write_file(dir + "/app/local.h", "#pragma once\nconstexpr int kInput = 30;\n");
        dlcov_instrument(config, builds, "", &result);
        CHECK(result.exit_code == 0);
        CHECK(run_command(shell_quote(build + "/bin/fake-app")).output == "fake 61\n");
    }
    SECTION("another .cpp beside a target source does not rebuild") {
        write_file(dir + "/app/other_tool.cpp", "int other() { return 1; }\n");
        dlcov_instrument(config, builds, "", &result);
        CHECK_THAT(result.output, Contains("is up to date"));
    }
    SECTION("--force rebuilds") {
        dlcov_instrument(config, builds, "--force", &result);
        CHECK(result.exit_code == 0);
        CHECK_THAT(result.output, Contains("compiling fake-app"));
    }
    SECTION("a compile error fails with the compiler's message and leaves no manifest") {
        write_file(dir + "/app2/main.cpp", "int main() { return undeclared_thing; }\n");
        dlcov_instrument(config, builds, "", &result);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.output, Contains("app2/main.cpp:1:") && Contains("undeclared_thing") &&
                                      Contains("/usr/bin/clang++-14 -fprofile-instr-generate") &&
                                      Contains("fake-app2 failed to compile"));
        CHECK_FALSE(fs::exists(build + "/build.json"));
        CHECK_THROWS_AS(load_manifest(build), UserError);
    }
}

TEST_CASE("the gcc major version comes from gcc's --version", "[instrument][gcov]") {
    CHECK(gcc_major_of_version("g++-12 (Debian 12.2.0-14) 12.2.0\nCopyright (C) 2022") == 12);
    CHECK(gcc_major_of_version("gcc (GCC) 13.1.1 20230429") == 13);
    CHECK_FALSE(gcc_major_of_version("Debian clang version 14.0.6").has_value());
    CompilerInfo gcc = probe_compiler("g++-12", "/");
    CHECK(gcc.gcc_major == 12);
    CHECK_FALSE(gcc.llvm_major.has_value());
}

TEST_CASE("instrument builds a fake framework in mode gcov; the build measures its runs", "[instrument][gcov]") {
    std::string dir = scratch_dir("instrument_fake_gcov");
    write_fake_framework(dir);
    std::string config = dir + "/fake.yaml";
    std::string builds = dir + "/builds";
    std::string build = builds + "/fake";
    CommandResult result;

    SECTION("clang is refused") {
        write_file(config, read_file(config) + "mode: gcov\n");
        dlcov_instrument(config, builds, "", &result);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.output, Contains(config + ":8: key 'compiler'") && Contains("is not gcc"));
    }
    SECTION("gcc builds it") {
        write_file(config, std::regex_replace(read_file(config), std::regex("clang\\+\\+-14"), "g++-12") + "mode: gcov\n");
        dlcov_instrument(config, builds, "", &result);
        INFO(result.output);
        REQUIRE(result.exit_code == 0);
        BuildManifest manifest = load_manifest(build);
        CHECK(manifest.mode == "gcov");
        CHECK(manifest.llvm_major == 0);
        CHECK(manifest.layout_profile.empty());
        for (const char* flag : {"--coverage", "-DDLCOV_COVERAGE_GCOV=1", "-fprofile-update=atomic"})
            CHECK(std::count(manifest.flags.begin(), manifest.flags.end(), flag) == 1);
        CHECK(manifest.gcov_notes ==
              std::vector<std::string>{build + "/bin/fake-app-main.gcno", build + "/bin/fake-app2-main.gcno"});
        CHECK(manifest.gcov == "/usr/bin/gcov-12");
        // Unchanged inputs: no recompile.
        dlcov_instrument(config, builds, "", &result);
        CHECK_THAT(result.output, Contains("is up to date"));

        // Two processes of fake-app, one folder each; the build's pipeline reads them.
        std::string profiles = scratch_dir("instrument_fake_gcov_profiles");
        for (int i = 0; i < 2; ++i) {
            CommandResult run = run_command("GCOV_PREFIX=" + shell_quote(profiles + "/run-%p.gcda.d") + " " +
                                            shell_quote(build + "/bin/fake-app"));
            CHECK_THAT(run.output, Contains("fake 41"));
        }
        CHECK(std::distance(fs::directory_iterator(profiles), fs::directory_iterator()) == 2);
        MeasurementPipeline pipeline(manifest);
        ProfileMeasurement m = pipeline.measure({profiles});
        CHECK(m.read.size() == 2);
        CHECK(m.skipped.empty());
        // fake_twice's three lines ran (x = 20), one side of its `if` did not.
        std::map<std::string, CoverageTally> by_file;
        for (const auto& f : m.measurement.files) by_file[f.path] = f.tally;
        REQUIRE(by_file.count("fake/ops.h"));
        CHECK(by_file["fake/ops.h"].lines.covered == 3);
        CHECK(by_file["fake/ops.h"].lines.total == 3);
        CHECK(by_file["fake/ops.h"].branches.covered == 1);
        CHECK(by_file["fake/ops.h"].branches.total == 2);
        CHECK(by_file["fake/ops.h"].functions.covered == 1);
    }
}

TEST_CASE("instrument builds a fake framework in mode sancov with its layout cached; the build measures its runs",
          "[instrument][sancov]") {
    std::string dir = scratch_dir("instrument_fake_sancov");
    write_fake_framework(dir);
    std::string config = dir + "/fake.yaml";
    std::string builds = dir + "/builds";
    std::string build = builds + "/fake";
    write_file(config, read_file(config) + "mode: sancov\n");
    CommandResult result;
    dlcov_instrument(config, builds, "", &result);
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    BuildManifest manifest = load_manifest(build);
    CHECK(manifest.mode == "sancov");
    // The layout was derived once, at the end of the build, into the build folder.
    std::string cache = sancov::sancov_layout_cache_path(build);
    REQUIRE(fs::is_regular_file(cache));
    CHECK_THAT(result.output, Contains("instrument: cached the sancov layout of 2 object(s) (" + cache + ")"));
    auto written = fs::last_write_time(cache);
    const std::string cached = read_file(cache);

    std::string profiles = scratch_dir("instrument_fake_sancov_profiles");
    CommandResult run = run_command("DLCOV_SANCOV_FILE=" + shell_quote(profiles + "/run-%p.sancov") + " " +
                                    shell_quote(build + "/bin/fake-app"));
    CHECK_THAT(run.output, Contains("fake 41"));
    MeasurementPipeline pipeline(manifest);
    ProfileMeasurement m = pipeline.measure({profiles});
    CHECK(m.read.size() == 1);
    CHECK(m.skipped.empty());
    std::map<std::string, CoverageTally> by_file;
    for (const auto& f : m.measurement.files) by_file[f.path] = f.tally;
    REQUIRE(by_file.count("fake/ops.h"));
    CHECK(by_file["fake/ops.h"].lines.covered > 0);
    CHECK(by_file["fake/ops.h"].functions.covered == 1);
    // The pipeline read the cache: served, not rewritten.
    CHECK(fs::last_write_time(cache) == written);
    CHECK(read_file(cache) == cached);
    CHECK(sancov::SancovLayer(manifest.objects, manifest.source_root, cache).layout_from_cache());
}
