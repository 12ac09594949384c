// Runner files: `extends`, and the build's placeholders ({python}, {build}) in options, through a
// real `dlcov run` on a small python build (a venv over Debian's PyYAML, as in unit_python_build).
#include "error.h"
#include "runner_definition.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;

namespace {

std::string load_error(const std::string& path) {
    try {
        load_runner_definition(path);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a runner file that extends another takes its keys, with its own on top", "[runner]") {
    std::string dir = scratch_dir("runner_extends");
    write_file(dir + "/base.yaml",
               "name: base\nstyle: TOOL\nmode: replay\ndescription: the real tool\n"
               "artifacts: {root: \"{opt:input}\", glob: \"*/*.py\"}\n"
               "command: [\"{opt:python}\", \"{artifact}\"]\n"
               "timeout: 30\nenv: {A: \"1\", B: \"2\"}\n"
               "options: {python: /usr/bin/python3, finding_kinds: {\"1\": none}}\n");
    write_file(dir + "/derived.yaml",
               "name: derived\nextends: base.yaml\n"
               "setup: {command: [gen, \"--out\", \"{campaign}/gen\"], creates: \"{campaign}/gen/done.json\"}\n"
               "env: {B: \"3\"}\n"
               "options: {input: \"{campaign}/gen\", python: \"{python}\"}\n");
    RunnerDefinition d = load_runner_definition(dir + "/derived.yaml");
    CHECK(d.name == "derived");
    CHECK(d.style == "TOOL");
    CHECK(d.mode == "replay");
    CHECK(d.description == "the real tool");
    CHECK(d.command == std::vector<std::string>{"{opt:python}", "{artifact}"});
    CHECK(d.artifacts_glob == "*/*.py");
    CHECK(d.timeout_seconds == 30);
    CHECK(d.setup_creates == "{campaign}/gen/done.json");
    CHECK(d.env == std::map<std::string, std::string>{{"A", "1"}, {"B", "3"}});
    CHECK(d.options["python"] == "{python}");
    CHECK(d.options["input"] == "{campaign}/gen");
    CHECK(d.options["finding_kinds"]["1"] == "none");
    CHECK(d.path == dir + "/derived.yaml");

    fs::create_directories(dir + "/other");
    write_file(dir + "/other/base.yaml", read_file(dir + "/base.yaml"));
    write_file(dir + "/elsewhere.yaml", "name: e\nextends: other/base.yaml\n");
    CHECK_THAT(load_error(dir + "/elsewhere.yaml"), Contains("elsewhere.yaml:2: key 'extends': expected a runner file in this file's folder"));
    write_file(dir + "/missing.yaml", "name: m\nextends: nope.yaml\n");
    CHECK_THAT(load_error(dir + "/missing.yaml"), Contains("missing.yaml:2: key 'extends': file") && Contains("does not exist"));
    write_file(dir + "/loop.yaml", "name: loop\nextends: loop.yaml\n");
    CHECK_THAT(load_error(dir + "/loop.yaml"), Contains("a chain of more than 8 runner files"));
    write_file(dir + "/nameless.yaml", "extends: base.yaml\n");
    CHECK_THAT(load_error(dir + "/nameless.yaml"), Contains("key 'name'"));
}

TEST_CASE("expand_known expands what it knows and keeps other braces", "[runner]") {
    Placeholders p;
    p.set("build", "/b");
    CHECK(p.expand_known("{build}/../tf/venv/bin/python") == "/b/../tf/venv/bin/python");
    CHECK(p.expand_known("*/{mut_model,crash}/*.h5") == "*/{mut_model,crash}/*.h5");
    CHECK(p.expand_known("{\"2\": \"none\"} {build}") == "{\"2\": \"none\"} /b");
    CHECK(p.expand_known("open { only") == "open { only");
}

TEST_CASE("a campaign on a python build gives runners {python} and the build's placeholders in options",
          "[runner][python]") {
    std::string dir = scratch_dir("runner_python_placeholders");
    CommandResult version = run_command("dpkg-query -W -f='${Version}' python3-yaml");
    REQUIRE(version.exit_code == 0);
    write_file(dir + "/pins.txt", "python3-yaml=" + version.output + "\n");
    write_file(dir + "/components.yaml", "framework: pyyaml\nrules:\n  - {glob: \"yaml/**\", component: api}\n");
    write_file(dir + "/pyyaml.yaml",
               "name: pyyaml\nframework: PyYAML\nversion: '6'\nmode: python\n"
               "environment: {system_site_packages: true, debian_packages: pins.txt, packages: [yaml]}\n"
               "component_map: components.yaml\n");
    // A live tester that records what it was given, then runs one measured test.
    write_file(dir + "/probe.yaml",
               "name: probe\nmode: live\n"
               "command: [/bin/sh, -c, \"cp {options} {work}/seen-options.json && echo '{opt:reference}' > {work}/seen-opt && "
               "{python} -c 'import yaml; yaml.safe_load(\\\"a: 1\\\")'\"]\n"
               "options: {reference: \"{build}/../other/venv/bin/python\", nested: {python: \"{python}\"}, "
               "glob: \"*/{a,b}/*\"}\n");
    write_file(dir + "/campaign.yaml",
               "name: placeholders\nframework: pyyaml.yaml\nresults_dir: results\nsnapshot_interval: 1\n"
               "runners:\n  - {runner: probe.yaml, trials: 1, budget: 20}\n");
    CommandResult run = run_command(shell_quote(DLCOV_EXE) + " run " + shell_quote(dir + "/campaign.yaml") +
                                    " --builds-dir " + shell_quote(dir + "/builds"));
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    std::string build = dir + "/builds/pyyaml";
    std::string work = dir + "/results/placeholders/probe/trial-1/work";
    CHECK(read_file(work + "/seen-opt") == build + "/../other/venv/bin/python\n");
    nlohmann::json options = nlohmann::json::parse(read_file(work + "/seen-options.json"));
    CHECK(options["nested"]["python"] == build + "/venv/bin/python");
    CHECK(options["glob"] == "*/{a,b}/*");
    // The test the probe ran was measured: the trial's running total counts PyYAML's lines.
    CommandResult report = run_command(shell_quote(DLCOV_EXE) + " report " + shell_quote(dir + "/results/placeholders"));
    INFO(report.output);
    CHECK(report.exit_code == 0);
    nlohmann::json summary = nlohmann::json::parse(read_file(dir + "/results/placeholders/summary.json"));
    CHECK(summary["total"]["lines"]["covered"].get<int>() > 0);
}
