// Layouts of several layers concatenated into one: every file keeps its numbers, and set algebra
// on the whole is set algebra on each layer.
#include "layout_concatenation.h"

#include <catch2/catch.hpp>

using namespace dlcov;

namespace {

// A layout of one file per entry of `functions`; each function has one instantiation with the
// given number of lines and branch sides. Counts: item k of each kind has count k % 2 (every
// other item covered), functions all ran except the first.
struct Layer {
    CoverageLayout layout;
    CoverageCounts counts;
};

Layer make_layer(const std::string& prefix, const std::vector<std::vector<std::pair<size_t, size_t>>>& files) {
    Layer l;
    for (size_t f = 0; f < files.size(); ++f) {
        SourceFile file;
        file.path = prefix + "/file" + std::to_string(f);
        for (auto [lines, sides] : files[f]) {
            FunctionDefinition fn;
            fn.name = file.path + ":fn" + std::to_string(file.functions.size());
            Instantiation inst;
            inst.name = fn.name;
            inst.first_line = l.layout.line_numbers.size();
            inst.line_count = lines;
            inst.first_branch = l.layout.branch_lines.size();
            inst.branch_count = sides;
            inst.function_index = l.layout.function_items++;
            for (size_t k = 0; k < lines; ++k) {
                l.layout.line_numbers.push_back(unsigned(10 + k));
                l.counts.lines.push_back(l.counts.lines.size() % 2);
            }
            for (size_t k = 0; k < sides; ++k) {
                l.layout.branch_lines.push_back(10);
                l.counts.branches.push_back(l.counts.branches.size() % 2);
            }
            l.counts.functions.push_back(inst.function_index == 0 ? 0 : 3);
            fn.instantiations.push_back(inst);
            file.functions.push_back(fn);
        }
        l.layout.files.push_back(file);
    }
    return l;
}

void require_same(const CoverageTally& a, const CoverageTally& b) {
    CHECK(a.lines.covered == b.lines.covered);
    CHECK(a.lines.total == b.lines.total);
    CHECK(a.branches.covered == b.branches.covered);
    CHECK(a.branches.total == b.branches.total);
    CHECK(a.functions.covered == b.functions.covered);
    CHECK(a.functions.total == b.functions.total);
}

}  // namespace

TEST_CASE("a concatenated layout keeps every layer's files and their numbers", "[model]") {
    Layer cpp = make_layer("/src", {{{5, 2}, {3, 4}}, {{7, 0}}});
    Layer python = make_layer("/site-packages", {{{4, 2}}, {{2, 0}, {6, 6}}, {{1, 0}}});

    ConcatenatedLayout all = concatenate_layouts({&cpp.layout, &python.layout});
    CoverageCounts counts = concatenate_counts({&cpp.counts, &python.counts});

    REQUIRE(all.parts.size() == 2);
    CHECK(all.parts[0].files == 0);
    CHECK(all.parts[0].lines == 0);
    CHECK(all.parts[1].files == 2);
    CHECK(all.parts[1].lines == 15);
    CHECK(all.parts[1].branches == 6);
    CHECK(all.parts[1].functions == 3);
    REQUIRE(all.layout.files.size() == 5);
    CHECK(all.layout.line_numbers.size() == 15 + 13);
    CHECK(all.layout.branch_lines.size() == 6 + 8);
    CHECK(all.layout.function_items == 3 + 4);
    CHECK(counts.lines.size() == all.layout.line_numbers.size());
    CHECK(counts.branches.size() == all.layout.branch_lines.size());
    CHECK(counts.functions.size() == all.layout.function_items);

    // Each file of the whole has the numbers it has in its own layer.
    for (size_t f = 0; f < cpp.layout.files.size(); ++f) {
        INFO("C++ file " << f);
        CHECK(all.layout.files[f].path == cpp.layout.files[f].path);
        require_same(summarize_file(all.layout, f, counts), summarize_file(cpp.layout, f, cpp.counts));
    }
    for (size_t f = 0; f < python.layout.files.size(); ++f) {
        INFO("Python file " << f);
        size_t whole = all.parts[1].files + f;
        CHECK(all.layout.files[whole].path == python.layout.files[f].path);
        require_same(summarize_file(all.layout, whole, counts), summarize_file(python.layout, f, python.counts));
    }
    // The shifted indexes point at the later layer's own items.
    const Instantiation& moved = all.layout.files[3].functions[1].instantiations[0];
    const Instantiation& original = python.layout.files[1].functions[1].instantiations[0];
    CHECK(moved.first_line == original.first_line + 15);
    CHECK(moved.first_branch == original.first_branch + 6);
    CHECK(moved.function_index == original.function_index + 3);
    CHECK(all.layout.line_numbers[moved.first_line] == python.layout.line_numbers[original.first_line]);
}

TEST_CASE("set algebra on concatenated counts is set algebra on each layer", "[model]") {
    Layer a = make_layer("/a", {{{4, 2}}});
    Layer b = make_layer("/b", {{{3, 4}, {2, 0}}});
    ConcatenatedLayout all = concatenate_layouts({&a.layout, &b.layout});
    CoverageCounts both = concatenate_counts({&a.counts, &b.counts});
    CoverageCounts zeros_b = CoverageCounts::zeros(b.layout);
    CoverageCounts only_a = concatenate_counts({&a.counts, &zeros_b});

    CoverageCounts difference = subtract(both, only_a);
    CHECK(summarize_file(all.layout, 0, difference).lines.covered == 0);
    require_same(summarize_file(all.layout, 1, difference), summarize_file(b.layout, 0, b.counts));
    CHECK(unite(only_a, difference).lines == both.lines);

    // An empty concatenation is an empty layout; one layout concatenates to itself.
    CHECK(concatenate_layouts({}).layout.files.empty());
    CHECK(concatenate_layouts({&a.layout}).layout.fingerprint() == a.layout.fingerprint());
    CHECK(all.layout.fingerprint() != a.layout.fingerprint());
}
