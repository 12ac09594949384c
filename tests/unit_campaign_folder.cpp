// The campaign folder's owner (coverage/results/): each file's writer and reader agree, and the
// files keep the bytes `dlcov run` has always written (reports of older campaigns still read).
#include "campaign_folder.h"
#include "campaign_record.h"
#include "finding.h"
#include "test_support.h"
#include "trial_events.h"
#include "trial_record.h"

#include <catch2/catch.hpp>
#include <filesystem>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

TrialRecord sample_trial() {
    TrialRecord t;
    t.runner = "cradle";
    t.trial = 2;
    t.status = "finished";
    t.seconds = 41.5;
    t.executions = 16;
    t.failed_executions = 1;
    t.findings = 1;
    return t;
}

Finding sample_finding() {
    Finding f;
    f.kind = "inconsistency";
    f.artifact = "work/m.json";
    f.input = "work/m.input.json";
    f.backends = "internal-vs-avx";
    f.metric = "D_MAD";
    f.value = 0.5;
    f.detail = "D_MAD 0.5 over 0.4";
    f.replay = "exec --model m.json";
    return f;
}

}  // namespace

TEST_CASE("every path of a campaign folder comes from its owner", "[folder]") {
    CampaignFolder folder("/r/demo/../demo");
    CHECK(folder.dir() == "/r/demo");
    CHECK(folder.store_path() == "/r/demo/campaign.db");
    CHECK(folder.record_path() == "/r/demo/campaign.json");
    CHECK(folder.report_dir() == "/r/demo/report");
    TrialFolder trial = folder.trial("cradle", 2);
    CHECK(trial.dir() == "/r/demo/cradle/trial-2");
    CHECK(CampaignFolder::trial_dir("cradle", 2) == "cradle/trial-2");
    CHECK(trial.profile_dir() == "/r/demo/cradle/trial-2/profiles");
    CHECK(trial.running_profile() == "/r/demo/cradle/trial-2/profiles/coverage.profdata");
    CHECK(trial.events_path() == "/r/demo/cradle/trial-2/events.jsonl");
    CHECK(trial.record_path() == "/r/demo/cradle/trial-2/trial.json");
    CHECK(trial.findings_path() == "/r/demo/cradle/trial-2/findings.json");
}

TEST_CASE("campaign.json, trial.json and findings.json keep their bytes and read back", "[folder]") {
    CampaignFolder folder(scratch_dir("campaign_folder_records"));
    fs::create_directories(folder.trial("cradle", 2).dir());

    write_trial_record(folder, sample_trial());
    CHECK(read_file(folder.trial("cradle", 2).record_path()) ==
          "{\n  \"dir\": \"cradle/trial-2\",\n  \"executions\": 16,\n  \"failed_executions\": 1,\n  \"findings\": 1,\n"
          "  \"seconds\": 41.5,\n  \"status\": \"finished\",\n  \"trial\": 2\n}\n");
    std::optional<TrialRecord> trial = read_trial_record(folder, "cradle", 2);
    REQUIRE(trial);
    CHECK(trial->executions == 16);
    CHECK(trial->failed_executions == 1);
    CHECK(trial->seconds == 41.5);
    CHECK_FALSE(read_trial_record(folder, "cradle", 3));

    write_findings(folder.trial("cradle", 2), {sample_finding()});
    CHECK(read_file(folder.trial("cradle", 2).findings_path()) ==
          "[\n  {\n    \"artifact\": \"work/m.json\",\n    \"backends\": \"internal-vs-avx\",\n"
          "    \"detail\": \"D_MAD 0.5 over 0.4\",\n    \"input\": \"work/m.input.json\",\n    \"kind\": \"inconsistency\",\n"
          "    \"metric\": \"D_MAD\",\n    \"replay\": \"exec --model m.json\",\n    \"value\": 0.5\n  }\n]\n");

    CampaignRecord record;
    record.name = "demo";
    record.config = "/c/demo.yaml";
    record.build = "/b/build.json";
    record.status = "running";
    record.started = "2024-01-01T00:00:00Z";
    record.runners.push_back({"cradle", "CRADLE", "live", "/c/cradle.yaml", 60, {sample_trial()}});
    write_campaign_record(folder, record);
    CHECK(read_file(folder.record_path()) ==
          "{\n  \"build\": \"/b/build.json\",\n  \"config\": \"/c/demo.yaml\",\n  \"name\": \"demo\",\n  \"runners\": [\n"
          "    {\n      \"budget\": 60.0,\n      \"mode\": \"live\",\n      \"name\": \"cradle\",\n"
          "      \"runner_file\": \"/c/cradle.yaml\",\n      \"style\": \"CRADLE\",\n      \"trials\": [\n        {\n"
          "          \"dir\": \"cradle/trial-2\",\n          \"executions\": 16,\n          \"failed_executions\": 1,\n"
          "          \"findings\": 1,\n          \"seconds\": 41.5,\n          \"status\": \"finished\",\n"
          "          \"trial\": 2\n        }\n      ]\n    }\n  ],\n  \"started\": \"2024-01-01T00:00:00Z\",\n"
          "  \"status\": \"running\"\n}\n");
    CampaignRecord back = read_campaign_record(folder);
    CHECK(back.name == "demo");
    CHECK(back.finished.empty());
    REQUIRE(back.runners.size() == 1);
    CHECK(back.runners[0].budget_seconds == 60);
    REQUIRE(back.runners[0].trials.size() == 1);
    CHECK(back.runners[0].trials[0].runner == "cradle");
    CHECK(back.runners[0].trials[0].findings == 1);
    CHECK(trial_profile_dirs(folder, back.runners[0]) == std::vector<std::string>{folder.trial("cradle", 2).profile_dir()});

    std::vector<CampaignFinding> findings = read_campaign_findings(folder, back);
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].runner == "cradle");
    CHECK(findings[0].trial == 2);
    CHECK(findings[0].finding.metric == "D_MAD");
}

TEST_CASE("a folder without a campaign.json is refused by name", "[folder]") {
    CampaignFolder folder(scratch_dir("campaign_folder_missing"));
    CHECK_THROWS_WITH(read_campaign_record(folder), Catch::Contains(folder.record_path()));
    write_file(folder.record_path(), "{\"name\": \"x\"}");
    CHECK_THROWS_WITH(read_campaign_record(folder), Catch::Contains(folder.record_path()) && Catch::Contains("build"));
}

TEST_CASE("the events writer's lines are what its reader reads", "[folder]") {
    std::string path = scratch_dir("campaign_folder_events") + "/events.jsonl";
    {
        TrialEventsWriter writer(path);
        writer.execution({"seed-a.avx", "work/a.json", "avx", "exit 0", 0.5});
        writer.finding(sample_finding());
        writer.execution({"seed-b.avx", "work/b.json", "avx", "signal 11 (Segmentation fault)", 0.25});
    }
    std::string text = read_file(path);
    CHECK(text.substr(0, text.find('\n')) ==
          "{\"artifact\":\"work/a.json\",\"backend\":\"avx\",\"event\":\"execution\",\"id\":\"seed-a.avx\","
          "\"result\":\"exit 0\",\"seconds\":0.5}");
    TrialEvents events = read_trial_events(path);
    REQUIRE(events.executions.size() == 2);
    CHECK(events.executions[1].id == "seed-b.avx");
    CHECK(events.failed_executions == 1);
    REQUIRE(events.findings.size() == 1);
    CHECK(events.findings[0].replay == "exec --model m.json");
    CHECK(read_trial_events(path + ".missing").executions.empty());
}
