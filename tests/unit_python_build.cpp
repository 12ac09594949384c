// `dlcov instrument` for mode python, through the real `dlcov` binary: a venv that sees Debian's
// PyYAML (python3-yaml, which tools/install-deps installs) stands in for a framework, so the test
// needs no download. (Python framework configs' errors: unit_instrument.cpp.)
#include "build_manifest.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;

namespace {

CommandResult run_dlcov(const std::string& arguments) { return run_command(shell_quote(DLCOV_EXE) + " " + arguments); }

void write_yaml_framework(const std::string& dir, const std::string& pins_line) {
    write_file(dir + "/components.yaml",
               "framework: pyyaml\nrules:\n  - {glob: \"yaml/_*.py\", component: utility}\n"
               "  - {glob: \"yaml/**\", component: api}\n");
    write_file(dir + "/pins.txt", "# the Debian package the venv sees\n" + pins_line + "\n");
    write_file(dir + "/pyyaml.yaml",
               "name: pyyaml\n"
               "framework: PyYAML\n"
               "version: '6'\n"
               "mode: python\n"
               "environment:\n"
               "  python: /usr/bin/python3\n"
               "  system_site_packages: true\n"
               "  debian_packages: pins.txt\n"
               "  packages: [yaml]\n"
               "component_map: components.yaml\n");
}

std::string debian_version(const std::string& package) {
    CommandResult r = run_command("dpkg-query -W -f='${Version}' " + package);
    REQUIRE(r.exit_code == 0);
    return r.output;
}

}  // namespace

TEST_CASE("dlcov instrument makes a python build: venv, hook, layout, manifest; unchanged means reused",
          "[instrument][python]") {
    std::string dir = scratch_dir("python_build");
    write_yaml_framework(dir, "python3-yaml=" + debian_version("python3-yaml"));
    std::string builds = dir + "/builds", build = builds + "/pyyaml";
    std::string instrument = "instrument " + shell_quote(dir + "/pyyaml.yaml") + " --builds-dir " + shell_quote(builds);

    CommandResult first = run_dlcov(instrument);
    INFO(first.output);
    REQUIRE(first.exit_code == 0);
    CHECK_THAT(first.output, Contains("creating the environment") && Contains("instrument: built pyyaml (yaml "));

    BuildManifest m = load_manifest(build);
    CHECK(m.mode == "python");
    CHECK(m.objects.empty());
    REQUIRE(m.python_layers.size() == 1);
    const PythonLayerManifest& layer = m.python_layers[0];
    CHECK(layer.interpreter == build + "/venv/bin/python");
    CHECK(fs::path(layer.package_root).filename() == "yaml");
    CHECK(m.source_root == fs::path(layer.package_root).parent_path().string());
    CHECK(layer.coverage_version == "6.5.0");  // Debian's python3-coverage, seen through the venv
    CHECK_FALSE(layer.package_version.empty());
    CHECK_THAT(read_file(layer.environment), Contains("PyYAML==" + layer.package_version));
    CHECK(fs::is_regular_file(layer.layout));

    // The hook measures a process of the environment when the variable is set, and only then.
    std::string data = scratch_dir("python_build_data");
    CommandResult run = run_command("cd / && DLCOV_PYTHON_COVERAGE_DIR=" + shell_quote(data) + " " +
                                    shell_quote(layer.interpreter) + " -c 'import yaml; print(yaml.safe_load(\"a: [1, 2]\"))'");
    CHECK(run.output == "{'a': [1, 2]}\n");
    CHECK(std::distance(fs::directory_iterator(data), fs::directory_iterator()) == 1);
    CHECK(run_command(shell_quote(layer.interpreter) + " -c 'import yaml; import sys; "
                                                       "sys.exit(\"coverage\" in sys.modules)'").exit_code == 0);

    // What it covered, through the build's own layer and component map.
    CommandResult measured = run_dlcov("measure --python-source " + shell_quote(layer.package_root) + " --python " +
                                   shell_quote(layer.interpreter) + " --profiles " + shell_quote(data) +
                                   " --components " + shell_quote(dir + "/components.yaml"));
    INFO(measured.output);
    CHECK(measured.exit_code == 0);
    CHECK_THAT(measured.output, Contains("User-Level API"));
    CommandResult components = run_dlcov("components " + shell_quote(build));
    CHECK(components.exit_code == 0);
    CHECK_THAT(components.output, !Contains("unmapped"));

    SECTION("unchanged inputs: nothing is made again") {
        auto layout_time = fs::last_write_time(layer.layout);
        CommandResult again = run_dlcov(instrument);
        CHECK(again.exit_code == 0);
        CHECK_THAT(again.output, Contains("instrument: pyyaml is up to date (" + build + ")"));
        CHECK(fs::last_write_time(layer.layout) == layout_time);
    }
    SECTION("a changed config recomputes the build but keeps the environment") {
        write_file(dir + "/pyyaml.yaml", read_file(dir + "/pyyaml.yaml") + "# changed\n");
        CommandResult again = run_dlcov(instrument);
        CHECK(again.exit_code == 0);
        CHECK_THAT(again.output, Contains("the environment " + build + "/venv is up to date") &&
                                     Contains("computing the Python layout"));
    }
    SECTION("a pin the machine does not match is refused with file and line, and no manifest is left") {
        write_yaml_framework(dir, "python3-yaml=0.0-not-this");
        CommandResult refused = run_dlcov(instrument);
        CHECK(refused.exit_code != 0);
        CHECK_THAT(refused.output, Contains("pins.txt:2: Debian package python3-yaml is installed at version"));
        write_yaml_framework(dir, "python3-no-such-package-dlcov=1");
        refused = run_dlcov(instrument);
        CHECK_THAT(refused.output, Contains("pins.txt:2: Debian package python3-no-such-package-dlcov is not installed; "
                                            "run tools/install-deps"));
    }
    SECTION("a package the environment does not have is named") {
        write_file(dir + "/pyyaml.yaml", read_file(dir + "/pyyaml.yaml") + "");
        std::string text = read_file(dir + "/pyyaml.yaml");
        text.replace(text.find("[yaml]"), 6, "[no_such_dlcov_pkg]");
        write_file(dir + "/pyyaml.yaml", text);
        CommandResult refused = run_dlcov(instrument);
        CHECK(refused.exit_code != 0);
        CHECK_THAT(refused.output, Contains("has no package 'no_such_dlcov_pkg'"));
        CHECK_FALSE(fs::exists(build + "/build.json"));
    }
}
