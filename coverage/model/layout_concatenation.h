// Several layouts as one: the layers of a build (its C++ objects, its Python tree, ...) are
// measured apart and counted together, so that components, Table 6, diffs and exports see one
// layout holding every layer's files.
//
// The concatenation lists the files of each layout in turn; every index a later layout's items
// carry (line and branch slices, function indexes) is shifted past the items of the layouts before
// it. Counts of each layout, laid end to end in the same order, are then counts of the whole.
#pragma once
#include "coverage_model.h"

#include <vector>

namespace dlcov {

// Where one layout's items start in the concatenation.
struct LayoutOffsets {
    size_t files = 0, lines = 0, branches = 0, functions = 0;
};

struct ConcatenatedLayout {
    CoverageLayout layout;
    std::vector<LayoutOffsets> parts;  // per concatenated layout, in order
};

ConcatenatedLayout concatenate_layouts(const std::vector<const CoverageLayout*>& layouts);

// Counts of each layout (in the order given to concatenate_layouts) as counts of the concatenation.
CoverageCounts concatenate_counts(const std::vector<const CoverageCounts*>& counts);

}  // namespace dlcov
