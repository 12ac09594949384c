#include "runner_comparison.h"

#include "error.h"
#include "layout_alignment.h"

#include <memory>

namespace dlcov {

Comparison compare_testers(const std::vector<std::string>& objects, const std::string& source_root,
                           const std::string& map_path, const std::vector<TesterProfiles>& testers,
                           const std::string& layout_profile) {
    Comparison c;
    std::unique_ptr<ComponentMap> map;
    if (!map_path.empty()) map = std::make_unique<ComponentMap>(ComponentMap::load(map_path));
    // With the build's layout profile every tester is moved onto the build's layout
    // (layout_alignment.h); without one, the first tester's reading is the layout.
    auto adopt_layout = [&](CoverageLayout layout) {
        c.layout = std::move(layout);
        c.assignment = assign_files(c.layout, map.get(), source_root);
        c.all.name = "union";
        c.all.counts = CoverageCounts::zeros(c.layout);
    };
    if (!layout_profile.empty()) adopt_layout(read_llvm_coverage(objects, layout_profile).layout);
    for (const auto& t : testers) {
        ProfileCoverage pc = measure_profiles(objects, t.profile_paths, layout_profile);
        TesterCoverage tc;
        tc.name = t.name;
        if (!layout_profile.empty()) {
            tc.counts = align_to_layout(pc.coverage, c.layout);
        } else {
            if (c.testers.empty()) adopt_layout(std::move(pc.coverage.layout));
            else if (pc.coverage.layout.fingerprint() != c.layout.fingerprint())
                throw UserError("tester '" + t.name + "' was read into a different coverage layout than the others; "
                                "the build has no layout profile: run `dlcov instrument` again");
            tc.counts = std::move(pc.coverage.counts);
        }
        tc.measurement = summarize(c.layout, tc.counts, c.assignment);
        tc.profiles = pc.merge.merged.size();
        tc.skipped = pc.merge.skipped;
        c.all.counts = unite(c.all.counts, tc.counts);
        c.all.profiles += tc.profiles;
        c.all.skipped.insert(c.all.skipped.end(), tc.skipped.begin(), tc.skipped.end());
        c.testers.push_back(std::move(tc));
    }
    if (c.testers.empty()) throw UserError("no testers to compare");
    c.all.measurement = summarize(c.layout, c.all.counts, c.assignment);
    return c;
}

}  // namespace dlcov
