// Finding dlcov's helper programs (built next to the `dlcov` command in the build tree).
#pragma once
#include <string>

namespace dlcov {

// The absolute path of helper program `name` built by CMake under runners/<folder>/.
// Throws UserError when it is not there (the build is incomplete: run `make`).
std::string helper_program(const std::string& folder, const std::string& name);

}  // namespace dlcov
