#include "runner_comparison.h"

#include "error.h"

namespace dlcov {

Comparison compare_runners(const MeasurementPipeline& pipeline, const std::vector<RunnerProfiles>& runners) {
    if (runners.empty()) throw UserError("no runners to compare");
    Comparison c;
    c.layout = pipeline.layout();
    c.assignment = pipeline.assignment();
    c.all.name = "union";
    c.all.counts = CoverageCounts::zeros(c.layout);
    for (const auto& r : runners) {
        ProfileMeasurement pm = pipeline.measure(r.profile_paths);
        RunnerCoverage rc{r.name, std::move(pm.counts), std::move(pm.measurement), pm.read.size(), std::move(pm.skipped)};
        c.all.counts = unite(c.all.counts, rc.counts);
        c.all.profiles += rc.profiles;
        c.all.skipped.insert(c.all.skipped.end(), rc.skipped.begin(), rc.skipped.end());
        c.runners.push_back(std::move(rc));
    }
    c.all.measurement = summarize(c.layout, c.all.counts, c.assignment);
    return c;
}

}  // namespace dlcov
