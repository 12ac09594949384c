// Replay runners for the real tools (configs/runners/{lemon,muffin,freefuzz,nnsmith,comet}.yaml):
// which saved artifacts each finds in a tree shaped like the tool's output
// (tests/fixtures/replay/<tool>/), and `dlcov run` replaying them one process each, with an
// instrumented stand-in for the python interpreter (tests/fixtures/replay/probe/).
#include "campaign_folder.h"
#include "campaign_record.h"
#include "error.h"
#include "finding.h"
#include "replay_runner.h"
#include "runner_definition.h"
#include "test_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Contains;
using Catch::StartsWith;
using Strings = std::vector<std::string>;

namespace {

const std::string kSource = DLCOV_SOURCE_DIR;
const std::string kFixtures = kSource + "/tests/fixtures/replay";
const std::string kDlcov = DLCOV_EXE;

// What each tool's runner file must replay in its fixture tree, in order. Everything else in the
// trees is a decoy (see the runner files' comments for why).
const std::map<std::string, Strings> kExpected = {
    {"lemon",
     {"lenet5-mnist/crash/lenet5-mnist_origin0-LC1-probe-segv.h5",
      "lenet5-mnist/mut_model/lenet5-mnist_origin0-GF1-probe-hang.h5",
      "lenet5-mnist/mut_model/lenet5-mnist_origin0-LA1-WS3.h5",
      "lenet5-mnist/mut_model/lenet5-mnist_origin0-LA1.h5",
      "lenet5-mnist/mut_model/lenet5-mnist_origin0-LR1-probe-unusable.h5",
      "lenet5-mnist/mut_model/lenet5-mnist_origin0.h5",
      "lenet5-mnist/nan/lenet5-mnist_origin0-NAI1-probe-nan.h5",
      "resnet20-cifar10/mut_model/resnet20-cifar10_origin0-WS1.h5",
      "resnet20-cifar10/mut_model/resnet20-cifar10_origin0.h5"}},
    {"muffin", {"0/models/tensorflow.h5", "1/models/tensorflow.h5", "10/models/tensorflow.h5"}},
    {"freefuzz",
     {"crash-oracle/fail/torch.nn.functional.relu/1.py", "crash-oracle/potential-bug/torch.add/1.py",
      "crash-oracle/success/torch.nn.Conv2d/1.py", "crash-oracle/success/torch.nn.Conv2d/2.py",
      "cuda-oracle/success/torch.add/1.py", "precision-oracle/potential-bug/torch.matmul/1.py",
      "precision-oracle/success/torch.sum-1.py"}},
    {"nnsmith", {"0.512/oracle.pkl", "1.204/oracle.pkl", "12.031/oracle.pkl", "3.881/oracle.pkl", "bug-0/oracle.pkl"}},
    {"comet",
     {"results/crashes/lenet5-mnist_origin-MShape2.h5", "results/models/alexnet-cifar10_origin-MDtype1.h5",
      "results/models/lenet5-mnist_origin-Edge3.h5", "results/nan/xception-imagenet_origin-SpecialI1.h5"}},
};

std::string runner_file(const std::string& tool) { return kSource + "/configs/runners/" + tool + ".yaml"; }

Strings relative_to(const Strings& paths, const std::string& root) {
    Strings out;
    std::string base = fs::canonical(root).string();
    for (const auto& p : paths) out.push_back(fs::path(p).lexically_relative(base).generic_string());
    return out;
}

Strings found_in(const std::string& root, const std::string& glob) { return relative_to(find_artifacts(root, glob), root); }

// A scratch copy of a fixture tree: links are made in the copy (git does not keep them well).
std::string copy_fixture(const std::string& tool, const std::string& dest) {
    fs::create_directories(fs::path(dest).parent_path());
    fs::copy(kFixtures + "/" + tool, dest, fs::copy_options::recursive);
    return dest;
}

Strings lines_of(const std::string& text) {
    Strings out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

Strings split_tabs(const std::string& line) {
    Strings out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, '\t')) out.push_back(field);
    return out;
}

std::vector<nlohmann::json> events_of(const std::string& trial_dir, const std::string& kind) {
    std::vector<nlohmann::json> out;
    for (const auto& line : lines_of(read_file(TrialFolder(trial_dir).events_path()))) {
        auto j = nlohmann::json::parse(line);
        if (j["event"] == kind) out.push_back(j);
    }
    return out;
}

// The LEMON tree with links that must not count: out of the root (relative and absolute), broken,
// looping, and a folder link; plus one link that stays inside and does count.
std::string lemon_tree_with_links(const std::string& dir) {
    std::string tree = copy_fixture("lemon", dir + "/lemon-output");
    write_file(dir + "/outside/evil.h5", "outside the root\n");
    write_file(dir + "/outside-exp/mut_model/outside-exp_origin0.h5", "outside the root\n");
    std::string mut = tree + "/lenet5-mnist/mut_model";
    fs::create_symlink("../../../outside/evil.h5", mut + "/zz-escape.h5");
    fs::create_symlink(dir + "/outside/evil.h5", mut + "/zz-absolute.h5");
    fs::create_symlink("no-such-model.h5", mut + "/zz-broken.h5");
    fs::create_symlink("zz-loop.h5", mut + "/zz-loop.h5");
    fs::create_symlink(dir + "/outside-exp", tree + "/outside-exp");
    return tree;
}

}  // namespace

TEST_CASE("each real tool's runner file finds exactly its artifacts, sorted", "[replay]") {
    for (const auto& [tool, expected] : kExpected) {
        INFO(tool);
        RunnerDefinition d = load_runner_definition(runner_file(tool));
        CHECK(d.name == tool);
        CHECK(d.mode == "replay");
        CHECK(d.artifacts_root == "{opt:input}");
        Strings found = found_in(kFixtures + "/" + tool, d.artifacts_glob);
        CHECK(found == expected);
        CHECK(std::is_sorted(found.begin(), found.end()));
    }
}

TEST_CASE("find_artifacts leaves out links that escape the root and survives broken ones", "[replay]") {
    std::string dir = scratch_dir("replay_links");
    std::string tree = lemon_tree_with_links(dir);
    fs::create_symlink("../../lenet5-mnist/crash/lenet5-mnist_origin0-LC1-probe-segv.h5",
                       tree + "/resnet20-cifar10/mut_model/resnet20-cifar10_origin0-LC9.h5");
    std::string glob = load_runner_definition(runner_file("lemon")).artifacts_glob;

    Strings expected = kExpected.at("lemon");
    expected.insert(expected.end() - 2, "resnet20-cifar10/mut_model/resnet20-cifar10_origin0-LC9.h5");
    CHECK(found_in(tree, glob) == expected);

    // The root itself may be a link; artifacts are listed under where it leads.
    fs::create_symlink(tree, dir + "/root-link");
    Strings through_link = relative_to(find_artifacts(dir + "/root-link", glob), tree);
    CHECK(through_link == expected);
}

TEST_CASE("artifact globs take alternatives in braces", "[replay]") {
    std::string lemon = kFixtures + "/lemon";
    CHECK(found_in(lemon, "*/{mut_model,nan}/*probe*.h5") ==
          Strings{"lenet5-mnist/mut_model/lenet5-mnist_origin0-GF1-probe-hang.h5",
                  "lenet5-mnist/mut_model/lenet5-mnist_origin0-LR1-probe-unusable.h5",
                  "lenet5-mnist/nan/lenet5-mnist_origin0-NAI1-probe-nan.h5"});
    CHECK(found_in(lemon, "{lenet5-mnist/mut_model/*{WS,GF}*,resnet20-cifar10/**/*WS1}.h5") ==
          Strings{"lenet5-mnist/mut_model/lenet5-mnist_origin0-GF1-probe-hang.h5",
                  "lenet5-mnist/mut_model/lenet5-mnist_origin0-LA1-WS3.h5",
                  "resnet20-cifar10/mut_model/resnet20-cifar10_origin0-WS1.h5"});
    // A file two alternatives match is listed once.
    CHECK(found_in(lemon, "resnet20-cifar10/mut_model/{*,*WS1*}.h5").size() == 2);
    CHECK(found_in(lemon, "*.h5") == Strings{"stray.h5"});
    CHECK(found_in(lemon, "**/*.h5").size() == 12);

    CHECK_THROWS_WITH(find_artifacts(lemon, "*/{mut_model,crash/*.h5"), Contains("'{' without its '}'"));
    CHECK_THROWS_AS(find_artifacts(kFixtures + "/no-such-tool", "*.h5"), UserError);
    CHECK_THROWS_WITH(find_artifacts(kFixtures + "/no-such-tool", "*.h5"), Contains("no-such-tool") && Contains("does not exist"));
}

TEST_CASE("the replay scripts run and say clearly when their framework is missing", "[replay]") {
    const std::string python = "/usr/bin/python3";
    if (!fs::exists(python)) {
        WARN("no " << python << ": the replay scripts are not checked");
        return;
    }
    for (std::string script : {"keras_predict.py", "nnsmith_replay.py"}) {
        INFO(script);
        auto help = run_command(python + " " + kSource + "/runners/replay/" + script + " --help");
        CHECK(help.exit_code == 0);
        CHECK_THAT(help.output, Contains("--pythonpath"));
    }
    // Here neither TensorFlow nor numpy is installed: the model cannot be used (exit 2), and the
    // last line says why and what to set.
    if (run_command(python + " -c 'import numpy, tensorflow'").exit_code == 0) return;
    auto r = run_command(python + " " + kSource + "/runners/replay/keras_predict.py " + kFixtures +
                         "/lemon/lenet5-mnist/mut_model/lenet5-mnist_origin0.h5");
    CHECK(r.exit_code == 2);
    CHECK_THAT(lines_of(r.output).back(), Contains("keras_predict: cannot import") && Contains("`python`"));
    auto n = run_command(python + " " + kSource + "/runners/replay/nnsmith_replay.py " + kFixtures + "/nnsmith/0.512/oracle.pkl");
    CHECK(n.exit_code == 2);
    CHECK_THAT(lines_of(n.output).back(), Contains("nnsmith_replay: cannot load the NNSmith test case " + kFixtures + "/nnsmith/0.512"));
}

namespace {

// One campaign replaying every fixture tree, once per test binary. The probe stands in for
// python (option `python`), so the runner files are the real ones; only LEMON's is copied, with a
// 2 s timeout for its hanging fixture, beside a link to runners/ so its script path still resolves.
struct ReplayCampaign {
    std::string work, results, builds, probe, lemon_tree;
    CommandResult run;
};

const ReplayCampaign& replay_campaign() {
    static ReplayCampaign c = [] {
        ReplayCampaign c;
        c.work = scratch_dir("replay_campaign");
        c.results = c.work + "/results";
        c.builds = c.work + "/builds";
        c.probe = c.builds + "/replay-probe/bin/replay-probe";
        c.lemon_tree = lemon_tree_with_links(c.work);
        std::string lemon_yaml = std::regex_replace(read_file(runner_file("lemon")), std::regex("\ntimeout: [0-9]+\n"), "\ntimeout: 2\n");
        write_file(c.work + "/configs/runners/lemon.yaml", lemon_yaml);
        fs::create_symlink(kSource + "/runners", c.work + "/runners");

        std::string yaml = "name: replay\nframework: " + kFixtures + "/probe/probe.yaml\nrunners:\n";
        for (const auto& [tool, expected] : kExpected) {
            std::string file = tool == "lemon" ? c.work + "/configs/runners/lemon.yaml" : runner_file(tool);
            std::string input = tool == "lemon" ? c.lemon_tree : kFixtures + "/" + tool;
            yaml += "  - runner: " + file + "\n    budget: 600\n    options: {input: \"" + input + "\", python: \"" + c.probe + "\"}\n";
        }
        write_file(c.work + "/campaign.yaml", yaml);
        c.run = run_command(kDlcov + " run " + shell_quote(c.work + "/campaign.yaml") + " --keep-profiles --results-dir " +
                            shell_quote(c.results) + " --builds-dir " + shell_quote(c.builds));
        return c;
    }();
    return c;
}

std::string trial_dir(const std::string& tool) {
    return CampaignFolder(replay_campaign().results + "/replay").trial(tool, 1).dir();
}

}  // namespace

TEST_CASE("dlcov run replays every artifact of each tool's tree, one process and one profile each", "[replay]") {
    const ReplayCampaign& c = replay_campaign();
    INFO(c.run.output);
    REQUIRE(c.run.exit_code == 0);
    CHECK_THAT(c.run.output, Contains("9 artifact(s) matching */{mut_model,crash,nan}/*.h5"));

    for (const auto& [tool, expected] : kExpected) {
        INFO(tool);
        std::string trial = trial_dir(tool);
        std::string root = tool == "lemon" ? c.lemon_tree : kFixtures + "/" + tool;

        // In sorted order, each once, with ids that are indices.
        auto executions = events_of(trial, "execution");
        Strings replayed;
        for (size_t i = 0; i < executions.size(); ++i) {
            replayed.push_back(executions[i]["artifact"]);
            CHECK(executions[i]["id"] == "replay-00000" + std::to_string(i));
        }
        CHECK(replayed == expected);

        // One process each: the probe logged one line per process, each with its own pid, and
        // got the runner file's script and the artifact's absolute path.
        Strings log = lines_of(read_file(trial + "/work/probe.log"));
        REQUIRE(log.size() == expected.size());
        std::set<std::string> pids;
        for (size_t i = 0; i < log.size(); ++i) {
            Strings args = split_tabs(log[i]);
            REQUIRE(args.size() >= 2);
            pids.insert(args[0]);
            std::string artifact = fs::canonical(root).string() + "/" + expected[i];
            if (tool == "freefuzz") {
                CHECK(args[1] == artifact);  // python3 PROGRAM
            } else {
                REQUIRE(args.size() >= 3);
                CHECK(fs::is_regular_file(args[1]));  // python3 SCRIPT ARTIFACT ...
                CHECK_THAT(args[1], Contains("/runners/replay/"));
                CHECK(args[2] == artifact);
            }
        }
        CHECK(pids.size() == expected.size());

        // One raw profile per execution, named by its index, also for the killed and crashed ones;
        // all readable (none set aside in profiles-skipped/).
        std::map<std::string, int> profiles_per_id;
        TrialFolder folder(trial);
        for (std::string profiles : {folder.profile_dir(), folder.kept_profile_dir()}) {
            if (!fs::exists(profiles)) continue;
            for (const auto& e : fs::directory_iterator(profiles)) {
                if (e.path().extension() != ".profraw") continue;
                ++profiles_per_id[e.path().filename().string().substr(0, std::string("replay-000000").size())];
            }
        }
        CHECK_FALSE(fs::exists(folder.skipped_profile_dir()));
        CHECK(profiles_per_id.size() == expected.size());
        for (const auto& [id, count] : profiles_per_id) CHECK(count == 1);

        std::optional<TrialRecord> record = read_trial_record(CampaignFolder(c.results + "/replay"), tool, 1);
        REQUIRE(record);
        CHECK(record->executions == expected.size());
        CHECK(record->failed_executions == (tool == "lemon" ? 4 : 0));
    }
}

TEST_CASE("a crash, a hang and a NaN in a LEMON tree are findings and the replay goes on", "[replay]") {
    // (An unloadable model, exit 2, is a failed execution but no finding: lemon.yaml's finding_kinds.)
    const ReplayCampaign& c = replay_campaign();
    REQUIRE(c.run.exit_code == 0);
    std::vector<Finding> findings = read_findings(TrialFolder(trial_dir("lemon")));
    REQUIRE(findings.size() == 3);
    std::map<std::string, Finding> by_kind;
    for (const auto& f : findings) by_kind[f.kind] = f;
    std::string root = fs::canonical(c.lemon_tree).string();

    REQUIRE(by_kind.count("crash"));
    CHECK(by_kind["crash"].artifact == root + "/lenet5-mnist/crash/lenet5-mnist_origin0-LC1-probe-segv.h5");
    CHECK_THAT(by_kind["crash"].detail, Contains("signal 11"));
    REQUIRE(by_kind.count("timeout"));
    CHECK(by_kind["timeout"].artifact == root + "/lenet5-mnist/mut_model/lenet5-mnist_origin0-GF1-probe-hang.h5");
    REQUIRE(by_kind.count("nan"));  // exit 3, through lemon.yaml's finding_kinds
    CHECK_THAT(by_kind["nan"].detail, Contains("exit 3: probe: NaN in the outputs of"));
    for (const auto& [kind, f] : by_kind) {
        INFO(kind);
        CHECK_THAT(f.replay, StartsWith("TF_CPP_MIN_LOG_LEVEL=2 " + c.probe + " ") && Contains("keras_predict.py") &&
                                 Contains(f.artifact));
    }
    // The output of each failed replay is kept in the trial's work folder, the unusable one's too.
    CHECK_THAT(read_file(trial_dir("lemon") + "/work/replay-000000.log"), Contains("signal 11"));
    CHECK_THAT(read_file(trial_dir("lemon") + "/work/replay-000004.log"), Contains("exit 2") && Contains("probe: cannot load"));
    CHECK_FALSE(fs::exists(trial_dir("lemon") + "/work/replay-000003.log"));  // it passed
    CHECK_THAT(c.run.output, Contains("replays: 5 exit 0, 1 exit 2, 1 exit 3, 1 signal 11 (Segmentation fault), 1 timeout"));

    // The other trees have no failing artifacts.
    for (std::string tool : {"muffin", "freefuzz", "nnsmith", "comet"})
        CHECK(read_findings(TrialFolder(trial_dir(tool))).empty());

    auto report = run_command(kDlcov + " report " + shell_quote(c.results + "/replay"));
    INFO(report.output);
    REQUIRE(report.exit_code == 0);
    CHECK_THAT(report.output, Contains("lemon: 3 finding(s)"));
    for (std::string kind : {"crash", "timeout", "nan"})
        CHECK_THAT(report.output, Contains("trial 1: " + kind + " " + root));
    for (std::string tool : {"muffin", "freefuzz", "nnsmith", "comet"}) CHECK_THAT(report.output, Contains(tool + ": 0 finding(s)"));
}

TEST_CASE("a replay runner without its tool's folder says which option to set", "[replay]") {
    const ReplayCampaign& c = replay_campaign();
    REQUIRE(c.run.exit_code == 0);  // the probe is built
    write_file(c.work + "/no-input.yaml", "name: no-input\nframework: " + kFixtures + "/probe/probe.yaml\nrunners:\n  - runner: " +
                                              runner_file("muffin") + "\n    options: {python: \"" + c.probe + "\"}\n");
    auto r = run_command(kDlcov + " run " + shell_quote(c.work + "/no-input.yaml") + " --results-dir " + shell_quote(c.results) +
                         " --builds-dir " + shell_quote(c.builds));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Contains("unknown placeholder {opt:input}") && Contains("options: {input: /path/to/output}"));
}

namespace {

// A campaign of LEMON's runner alone on the scratch LEMON tree.
std::string lemon_only_campaign(const std::string& name, double budget) {
    const ReplayCampaign& c = replay_campaign();
    std::string path = c.work + "/" + name + ".yaml";
    write_file(path, "name: " + name + "\nframework: " + kFixtures + "/probe/probe.yaml\nrunners:\n  - runner: " + c.work +
                         "/configs/runners/lemon.yaml\n    budget: " + std::to_string(budget) + "\n    options: {input: \"" +
                         c.lemon_tree + "\", python: \"" + c.probe + "\"}\n");
    return path;
}

std::string dlcov_run(const std::string& campaign) {
    const ReplayCampaign& c = replay_campaign();
    return kDlcov + " run " + shell_quote(campaign) + " --results-dir " + shell_quote(c.results) + " --builds-dir " +
           shell_quote(c.builds);
}

}  // namespace

TEST_CASE("a replay stops at the trial's budget", "[replay]") {
    REQUIRE(replay_campaign().run.exit_code == 0);
    // The budget is used up during the second artifact (it hangs until the 2 s timeout).
    auto r = run_command(dlcov_run(lemon_only_campaign("replay-budget", 1)));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.output, Contains("budget used up after 2 of 9 artifacts"));
    std::string trial = CampaignFolder(replay_campaign().results + "/replay-budget").trial("lemon", 1).dir();
    CHECK(events_of(trial, "execution").size() == 2);
    CHECK(lines_of(read_file(trial + "/work/probe.log")).size() == 2);
}

TEST_CASE("an interrupted replay resumes after the artifacts it already replayed", "[replay]") {
    REQUIRE(replay_campaign().run.exit_code == 0);
    std::string campaign = lemon_only_campaign("replay-resume", 600);
    std::string trial = CampaignFolder(replay_campaign().results + "/replay-resume").trial("lemon", 1).dir();
    // Interrupt while the second artifact hangs (its probe has logged its line).
    std::string log = shell_quote(trial + "/work/probe.log");
    auto first = run_command("(" + dlcov_run(campaign) + " & pid=$!; for i in $(seq 400); do "
                             "[ -f " + log + " ] && [ $(wc -l < " + log + ") -ge 2 ] && break; sleep 0.05; done; "
                             "kill -INT $pid; wait $pid)");
    INFO(first.output);
    CHECK(first.exit_code != 0);
    auto before = events_of(trial, "execution");
    REQUIRE(before.size() == 1);  // the hang was cut short by the interruption, not by itself: not logged
    CHECK(before[0]["artifact"] == kExpected.at("lemon")[0]);

    auto second = run_command(dlcov_run(campaign));
    INFO(second.output);
    REQUIRE(second.exit_code == 0);
    CHECK_THAT(second.output, Contains("resuming after 1 replayed artifact(s)"));
    Strings replayed;
    for (const auto& e : events_of(trial, "execution")) replayed.push_back(e["artifact"]);
    CHECK(replayed == kExpected.at("lemon"));
    // The resumed run replays in a work folder of its own (work-run2/).
    Strings probe_runs = lines_of(read_file(trial + "/work/probe.log"));
    Strings resumed_runs = lines_of(read_file(trial + "/work-run2/probe.log"));
    CHECK(probe_runs.size() + resumed_runs.size() == kExpected.at("lemon").size() + 1);  // the hanging one ran twice
    CHECK(read_findings(TrialFolder(trial)).size() == 3);
}
