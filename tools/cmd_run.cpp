// dlcov run: run a campaign of testers against an instrumented build.
#include "campaign_run.h"
#include "commands.h"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace dlcov {

void add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand(
        "run",
        "Run a campaign (configs/campaigns/*.yaml): instrument its framework if needed, run every\n"
        "runner's trials (up to -j at once), one process per generated test, and record a coverage\n"
        "snapshot per trial every snapshot_interval seconds in <results-dir>/<name>/campaign.db.\n"
        "Ctrl-C stops the campaign cleanly; running the same command again resumes it.\n"
        "Example: dlcov run configs/campaigns/demo.yaml   # writes results/demo/");
    cmd->add_option("campaign", o->campaign_path, "campaign file (YAML)")->required()->check(CLI::ExistingFile);
    cmd->add_option("--results-dir", o->results_dir,
                    "folder that holds campaign folders (default: the campaign's results_dir, else ./results)");
    cmd->add_option("--builds-dir", o->builds_dir, "folder that holds instrumented builds")->capture_default_str();
    cmd->add_option("-j,--jobs", o->jobs, "trials at once (default: the campaign's `jobs`, else the number of cores)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--keep-profiles", o->keep_profiles,
                  "keep every raw profile (in <trial>/profiles-kept/) after folding it into the trial's coverage");
    cmd->add_flag("--overwrite", o->overwrite, "replace the campaign's earlier results instead of resuming");
    cmd->callback([o] {
        o->live_progress = isatty(STDOUT_FILENO) != 0;
        try {
            run_campaign(*o, std::cout);
        } catch (const CampaignInterrupted& e) {
            std::cout << std::flush;
            std::cerr << "dlcov: " << e.what() << "\n";
            std::exit(130);
        }
    });
}

}  // namespace dlcov
