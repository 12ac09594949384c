#include "runner_comparison.h"

#include "error.h"

namespace dlcov {

Comparison compare_testers(const MeasurementPipeline& pipeline, const std::vector<TesterProfiles>& testers) {
    if (testers.empty()) throw UserError("no testers to compare");
    Comparison c;
    c.layout = pipeline.layout();
    c.assignment = pipeline.assignment();
    c.all.name = "union";
    c.all.counts = CoverageCounts::zeros(c.layout);
    for (const auto& t : testers) {
        ProfileMeasurement pm = pipeline.measure(t.profile_paths);
        TesterCoverage tc{t.name, std::move(pm.counts), std::move(pm.measurement), pm.read.size(), std::move(pm.skipped)};
        c.all.counts = unite(c.all.counts, tc.counts);
        c.all.profiles += tc.profiles;
        c.all.skipped.insert(c.all.skipped.end(), tc.skipped.begin(), tc.skipped.end());
        c.testers.push_back(std::move(tc));
    }
    c.all.measurement = summarize(c.layout, c.all.counts, c.assignment);
    return c;
}

}  // namespace dlcov
