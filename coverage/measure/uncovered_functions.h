// "Covered by none": function definitions that no runner ran, largest first, so a reader sees
// the biggest unreached pieces of each component.
#pragma once
#include "component.h"
#include "runner_comparison.h"

#include <map>
#include <string>
#include <vector>

namespace dlcov {

struct UncoveredFunction {
    std::string name;  // demangled
    size_t file_index = 0;
    unsigned line = 0;
    size_t lines = 0;  // instrumented lines (the largest instantiation's)
};

// Per component, the counted definitions whose instantiations never ran in the union, by size
// (descending), then file and line.
std::map<Component, std::vector<UncoveredFunction>> uncovered_functions(const Comparison& c);

}  // namespace dlcov
