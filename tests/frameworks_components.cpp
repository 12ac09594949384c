// The real frameworks as `dlcov instrument` installs them (ctest fixtures instrument_pytorch,
// instrument_tensorflow, instrument_mxnet): every Python file of the measured packages has a
// component, each of the five components has files, and the manifest records what is installed.
#include "build_manifest.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("dlcov components: no unmapped file in installed PyTorch, TensorFlow and MXNet", "[frameworks]") {
    struct Expected {
        const char* name;
        const char* package_version;  // prefix of what the environment reports
        size_t min_files;
    };
    for (const Expected& e : {Expected{"pytorch", "1.13.", 1000}, Expected{"tensorflow", "2.15.1", 2000},
                              Expected{"mxnet", "1.9.1", 200}}) {
        INFO(e.name);
        std::string build = framework_build_dir(e.name);
        BuildManifest m = load_manifest(build);
        REQUIRE(m.python_layers.size() == 1);
        CHECK_THAT(m.python_layers[0].package_version, StartsWith(e.package_version));
        CHECK(m.python_layers[0].coverage_version == "6.5.0");
        CHECK(fs::is_regular_file(m.python_layers[0].environment));

        CommandResult r = run_command(shell_quote(DLCOV_EXE) + " components " + shell_quote(build));
        INFO(r.output);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.output, !Contains("unmapped"));
        std::smatch files;
        REQUIRE(std::regex_search(r.output, files, std::regex("applied to .* \\((\\d+) instrumented files\\)")));
        CHECK(std::stoul(files[1]) >= e.min_files);
        for (std::string component : {"api", "graph", "operation", "utility", "environment"}) {
            // "User-Level API (api)   514   48974   20815   5741": files, lines, branches, functions
            std::smatch row;
            std::string pattern = "\\(" + component + "\\)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)";
            REQUIRE(std::regex_search(r.output, row, std::regex(pattern)));
            for (int column = 1; column <= 4; ++column) CHECK(std::stoul(row[column]) > 0);
        }
    }
}
