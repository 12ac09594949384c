// Errors a user can act on. The `dlcov` command prints what() and exits 2;
// anything else escaping is a bug and exits 1.
#pragma once
#include <stdexcept>
#include <string>

namespace dlcov {

struct UserError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace dlcov
