#include "coverage_model.h"

#include <algorithm>
#include <stdexcept>

namespace dlcov {

namespace {

uint64_t fnv1a(uint64_t hash, const void* data, size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
    return hash;
}

uint64_t fnv1a(uint64_t hash, const std::string& s) { return fnv1a(hash, s.data(), s.size() + 1); }

void check_aligned(const CoverageCounts& a, const CoverageCounts& b) {
    if (a.lines.size() != b.lines.size() || a.branches.size() != b.branches.size() ||
        a.functions.size() != b.functions.size())
        throw std::logic_error("coverage counts from different layouts cannot be combined");
}

template <typename Op>
CoverageCounts combine(const CoverageCounts& a, const CoverageCounts& b, Op op) {
    check_aligned(a, b);
    CoverageCounts out = a;
    auto apply = [&](std::vector<uint64_t>& x, const std::vector<uint64_t>& y) {
        for (size_t i = 0; i < x.size(); ++i) x[i] = op(x[i], y[i]);
    };
    apply(out.lines, b.lines);
    apply(out.branches, b.branches);
    apply(out.functions, b.functions);
    return out;
}

size_t count_nonzero(const std::vector<uint64_t>& v, size_t first, size_t n) {
    return size_t(std::count_if(v.begin() + long(first), v.begin() + long(first + n),
                                [](uint64_t c) { return c > 0; }));
}

}  // namespace

uint64_t CoverageLayout::fingerprint() const {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const auto& file : files) {
        h = fnv1a(h, file.path);
        for (const auto& fn : file.functions)
            for (const auto& inst : fn.instantiations) {
                h = fnv1a(h, inst.name);
                h = fnv1a(h, &inst.line_count, sizeof inst.line_count);
                h = fnv1a(h, &inst.branch_count, sizeof inst.branch_count);
                if (inst.counts_when_all_ran) h = fnv1a(h, "counts when all ran");  // existing layouts keep theirs
            }
    }
    return h;
}

CoverageCounts CoverageCounts::zeros(const CoverageLayout& layout) {
    CoverageCounts c;
    c.lines.assign(layout.line_numbers.size(), 0);
    c.branches.assign(layout.branch_lines.size(), 0);
    c.functions.assign(layout.function_items, 0);
    return c;
}

CoverageCounts unite(const CoverageCounts& a, const CoverageCounts& b) {
    return combine(a, b, [](uint64_t x, uint64_t y) { return x + y; });
}

CoverageCounts intersect(const CoverageCounts& a, const CoverageCounts& b) {
    return combine(a, b, [](uint64_t x, uint64_t y) { return std::min(x, y); });
}

CoverageCounts subtract(const CoverageCounts& a, const CoverageCounts& b) {
    return combine(a, b, [](uint64_t x, uint64_t y) { return y ? 0 : x; });
}

CoverageTally summarize_file(const CoverageLayout& layout, size_t file_index,
                             const CoverageCounts& counts) {
    CoverageTally tally;
    for (const auto& fn : layout.files.at(file_index).functions) {
        // llvm-cov merges the instantiations of one definition by taking the maximum of each
        // number separately (covered and total), then adds definitions up.
        Tally lines, branches;
        bool ran = false;
        for (const auto& inst : fn.instantiations) {
            ran = ran || counts.functions[inst.function_index] > 0;
            size_t lines_covered = count_nonzero(counts.lines, inst.first_line, inst.line_count);
            size_t lines_total = inst.line_count;
            if (inst.counts_when_all_ran) {
                // One line when every occurrence ran, else not a line at all (gcovr 5.2).
                if (inst.line_count == 0 || lines_covered < inst.line_count) continue;
                lines_covered = lines_total = 1;
            }
            lines.covered = std::max<uint64_t>(lines.covered, lines_covered);
            lines.total = std::max<uint64_t>(lines.total, lines_total);
            branches.covered = std::max<uint64_t>(
                branches.covered, count_nonzero(counts.branches, inst.first_branch, inst.branch_count));
            branches.total = std::max<uint64_t>(branches.total, inst.branch_count);
        }
        tally.lines += lines;
        tally.branches += branches;
        if (fn.is_function) tally.functions += Tally{ran ? 1u : 0u, 1};
    }
    return tally;
}

}  // namespace dlcov
