// Coverage over time, as the campaign engine records it: one snapshot per trial every interval,
// with line, branch and function coverage per component so far. Stored in the campaign's store
// (campaign_store.h, table `snapshots`).
#pragma once
#include "coverage_model.h"

#include <cstdint>
#include <string>

namespace dlcov {

struct Snapshot {
    std::string runner;
    int trial = 1;
    double elapsed_seconds = 0;  // since the trial started
    uint64_t executions = 0;     // finished so far
    ComponentTallies coverage;   // component id or "overall"
};

// What taking a snapshot cost (table `snapshot_costs`).
struct SnapshotCost {
    uint64_t folded_profiles = 0;  // raw profiles folded into the running total by this snapshot
    uint64_t profiles_so_far = 0;  // raw profiles folded since the trial started
    double fold_seconds = 0;
    double measure_seconds = 0;
};

}  // namespace dlcov
