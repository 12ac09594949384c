// dlcov run: run a campaign of testers against an instrumented build.
#include "campaign/campaign_run.h"
#include "commands.h"

#include <iostream>
#include <memory>

namespace dlcov {

void add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand(
        "run",
        "Run a campaign (configs/campaigns/*.yaml): instrument its framework if needed, run every\n"
        "runner's trials, one process per generated test, and collect one profile per process.\n"
        "Example: dlcov run configs/campaigns/demo.yaml   # writes results/demo/");
    cmd->add_option("campaign", o->campaign_path, "campaign file (YAML)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--results-dir", o->results_dir, "folder that holds campaign folders")->capture_default_str();
    cmd->add_option("--builds-dir", o->builds_dir, "folder that holds instrumented builds")->capture_default_str();
    cmd->add_flag("--overwrite", o->overwrite, "replace the campaign's earlier results");
    cmd->callback([o] { run_campaign(*o, std::cout); });
}

}  // namespace dlcov
