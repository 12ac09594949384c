// dlcov trial: run one trial of a campaign on its own (what a Slurm task of `dlcov run` runs).
#include "commands.h"
#include "trial_task.h"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <regex>

namespace dlcov {

void add_trial_command(CLI::App& app) {
    auto o = std::make_shared<TrialTaskOptions>();
    auto which = std::make_shared<std::string>();
    auto list = std::make_shared<std::string>();
    auto index = std::make_shared<int>(-1);
    CLI::App* cmd = app.add_subcommand(
        "trial",
        "Run one trial of a campaign that `dlcov run` started (its folder holds campaign.json), in a\n"
        "scratch folder of this machine, copying its snapshots into the campaign folder as it goes\n"
        "(<runner>/trial-<n>/trial.db and task.json), from which `dlcov run` imports them. It is what\n"
        "each task of `executor: slurm` runs; a trial that finished already is not run again.\n"
        "Example: dlcov trial results/demo cradle/2");
    cmd->add_option("campaign_dir", o->campaign_dir, "the campaign folder")->required()->check(CLI::ExistingDirectory);
    cmd->add_option("trial", *which, "RUNNER/N, e.g. cradle/2 (or --list and --index)");
    cmd->add_option("--list", *list, "a submission's trial list (slurm/submission-<n>.json)")->check(CLI::ExistingFile);
    cmd->add_option("--index", *index, "the trial's index in --list (a Slurm task's SLURM_ARRAY_TASK_ID)");
    cmd->add_option("--job", o->job, "this task's job id, recorded in task.json");
    cmd->add_option("--scratch", o->scratch, "where the trial works (default: the campaign's slurm.scratch, $TMPDIR, /tmp)");
    cmd->add_flag("--keep-profiles", o->keep_profiles, "keep every raw profile after folding it");
    cmd->callback([o, which, list, index] {
        if (!list->empty()) {
            read_submission_entry(*list, *index, *o);
        } else {
            std::smatch m;
            if (!std::regex_match(*which, m, std::regex("([A-Za-z0-9][A-Za-z0-9_-]*)/([0-9]+)")))
                throw CLI::ValidationError("trial", "expected RUNNER/N (e.g. cradle/2), or --list FILE --index I");
            o->runner = m[1];
            o->trial = std::stoi(m[2]);
        }
        int code = run_trial_task(*o, std::cout);
        std::cout << std::flush;
        if (code != 0) std::exit(code);
    });
}

}  // namespace dlcov
