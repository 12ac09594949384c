// Where dlcov's sancov runtime library is (the archive `dlcov instrument` links into every binary
// of a sancov build): $DLCOV_SANCOV_RUNTIME, else lib/libdlcov_sancov_runtime.a beside the
// running program's bin/ folder (CMake builds it there).
#pragma once
#include <string>

namespace dlcov::sancov {

// UserError when the archive is not there, saying how to build it.
std::string sancov_runtime_path();

}  // namespace dlcov::sancov
