// Coverage over time, as the campaign engine records it: one snapshot per trial every interval,
// with line, branch and function coverage per component so far.
//
// Stored in results/<campaign>/campaign.db (SQLite), table `snapshots`, one row per snapshot
// and component (component is a component id, or "overall"):
//   CREATE TABLE snapshots (runner TEXT NOT NULL, trial INTEGER NOT NULL,
//     elapsed REAL NOT NULL,            -- seconds since the trial started
//     executions INTEGER NOT NULL,      -- executions finished so far
//     component TEXT NOT NULL,
//     lines_covered INTEGER NOT NULL, lines_total INTEGER NOT NULL,
//     branches_covered INTEGER NOT NULL, branches_total INTEGER NOT NULL,
//     functions_covered INTEGER NOT NULL, functions_total INTEGER NOT NULL,
//     PRIMARY KEY (runner, trial, elapsed, component));
#pragma once
#include "coverage_model.h"

#include <map>
#include <string>
#include <vector>

namespace dlcov {

struct Snapshot {
    std::string runner;
    int trial = 1;
    double elapsed_seconds = 0;
    uint64_t executions = 0;
    ComponentTallies coverage;  // component id or "overall"
};

// The CREATE TABLE statement above, for the campaign engine's store (runners/campaign/campaign_store.h).
extern const char* const kSnapshotsTableSql;

// All snapshots of a campaign, ordered by runner, trial and time. Empty when the campaign has
// no campaign.db (or no snapshots yet). Throws UserError when the database cannot be read.
std::vector<Snapshot> read_snapshots(const std::string& campaign_dir);

}  // namespace dlcov
