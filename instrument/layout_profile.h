// The build's layout profile: every function record of every instrumented object, with all
// counters zero.
//
// LLVM reads a function whose name is in the profile but with another structural hash as a
// "hash mismatch" and leaves it out, while a function the profile does not know at all is read
// with zero counts. Objects of one build share inline framework functions (each object also has
// placeholder records, hash 0, for inline functions it never emitted), so which functions are left
// out depended on which objects' profiles a tester happened to produce: a CRADLE run (executor
// only) and a TenFuzz run (API driver only) were read into different layouts and could not be
// united. Merging this profile into every measurement of the build makes the profile know every
// real record, so every set of profiles is read into the same layout: the one `llvm-cov report`
// gives for profiles of all objects together.
#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace dlcov {

// Runs each object once with no arguments (stdin closed, in a scratch folder, 60 s at most;
// continuous mode writes the profile when the process starts), and merges the profiles with
// counters zeroed into `output_path`. Throws UserError when an object wrote no readable profile.
void write_layout_profile(const std::vector<std::string>& objects, const std::string& output_path,
                          std::ostream& out);

}  // namespace dlcov
