// dlcov: which parts of a deep-learning framework does a tester exercise?
#include "commands.h"
#include "error.h"

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{
        "dlcov measures line, branch and function coverage of a coverage-instrumented deep-learning\n"
        "framework per component (User-Level API, Graph-Level, Operation, General Utility,\n"
        "Environment-Dependent) for the testers that drive it.\n\n"
        "Typical day:\n"
        "  dlcov instrument configs/frameworks/tinydnn.yaml   # builds/tinydnn\n"
        "  dlcov run configs/campaigns/demo.yaml              # results/demo\n"
        "  dlcov report results/demo                          # table, summary.json, results/demo/report/index.html\n"
        "  dlcov diff results/demo:tenfuzz-style results/demo:cradle   # what one runner reaches that another does not\n",
        "dlcov"};
    app.require_subcommand(1);
    app.failure_message(CLI::FailureMessage::help);
    dlcov::add_instrument_command(app);
    dlcov::add_components_command(app);
    dlcov::add_measure_command(app);
    dlcov::add_run_command(app);
    dlcov::add_trial_command(app);
    dlcov::add_report_command(app);
    dlcov::add_diff_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const dlcov::UserError& e) {
        std::cerr << "dlcov: error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "dlcov: internal error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
