// Each subcommand of `dlcov` lives in its own cmd_<name>.cpp and registers itself here.
#pragma once
#include <CLI/CLI.hpp>

namespace dlcov {

void add_instrument_command(CLI::App& app);
void add_components_command(CLI::App& app);
void add_measure_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_trial_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_diff_command(CLI::App& app);

}  // namespace dlcov
