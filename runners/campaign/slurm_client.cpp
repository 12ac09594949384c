#include "slurm_client.h"

#include "error.h"
#include "process.h"
#include "program_on_path.h"

#include <fmt/format.h>
#include <set>
#include <sstream>

namespace dlcov {

namespace {

ProcessResult run_slurm(const std::string& program, std::vector<std::string> args) {
    std::optional<std::string> path = program_on_path(program);
    if (!path)
        throw UserError(fmt::format("{} is not on PATH: executor: slurm needs Slurm's client commands (sbatch, squeue, "
                                    "scancel) on the machine that runs `dlcov run`",
                                    program));
    ProcessSpec spec;
    spec.argv = {*path};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.timeout = std::chrono::seconds(120);
    spec.own_process_group = true;
    spec.contain = false;
    spec.output_cap = 16 * 1024 * 1024;
    ProcessResult r = run_process(spec);
    if (r.outcome != ProcessResult::Exited || r.exit_code != 0)
        throw UserError(fmt::format("`{}` failed ({}): {}", command_line(spec.argv), r.describe(), r.output));
    return r;
}

}  // namespace

bool slurm_state_ended(const std::string& state) {
    static const std::set<std::string> ended = {"COMPLETED", "FAILED",  "CANCELLED",     "TIMEOUT",
                                                "PREEMPTED", "NODE_FAIL", "BOOT_FAIL",   "DEADLINE",
                                                "OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED"};
    return ended.count(state) > 0;
}

std::string sbatch(const std::vector<std::string>& args, const std::string& script) {
    std::vector<std::string> all = {"--parsable"};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back(script);
    std::string out = run_slurm("sbatch", all).output;
    // --parsable: "<job id>" or "<job id>;<cluster>", after any warnings on lines of their own.
    std::istringstream lines(out);
    std::string id;
    for (std::string line; std::getline(lines, line);) {
        std::string first = line.substr(0, line.find(';'));
        if (!first.empty() && first.find_first_not_of("0123456789") == std::string::npos) id = first;
    }
    if (id.empty()) throw UserError("sbatch printed no job id: " + out);
    return id;
}

std::map<std::string, SlurmTask> squeue_tasks(const std::string& job_name) {
    // %i is <array job>_<task> for every task of an array, ended ones too (%A and %a lose it then).
    std::string out = run_slurm("squeue", {"--noheader", "--array", "--states=all", "--name=" + job_name,
                                           "--format=%i|%T|%r|%k"}).output;
    std::map<std::string, SlurmTask> tasks;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string x; std::getline(fields, x, '|');) f.push_back(x);
        if (f.size() < 4) continue;
        size_t underscore = f[0].find('_');
        if (underscore == std::string::npos) continue;
        std::string index = f[0].substr(underscore + 1);
        if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos) continue;  // 12_[3-9]: pending
        SlurmTask t;
        t.job = f[0];
        t.index = std::stoi(index);
        t.state = f[1];
        t.reason = f[2];
        t.comment = f[3];
        tasks[t.job] = t;
    }
    return tasks;
}

void scancel(const std::vector<std::string>& jobs) {
    if (!jobs.empty()) run_slurm("scancel", jobs);
}

}  // namespace dlcov
