#include "sancov_runtime_path.h"

#include "error.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov::sancov {

std::string sancov_runtime_path() {
    const char* env = std::getenv("DLCOV_SANCOV_RUNTIME");
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    std::string path = env && *env ? std::string(env)
                                   : (exe.parent_path().parent_path() / "lib" / "libdlcov_sancov_runtime.a").string();
    if (!fs::is_regular_file(path))
        throw UserError("dlcov's sancov runtime " + path + " is missing (" +
                        (env && *env ? "DLCOV_SANCOV_RUNTIME" : "beside the program's bin/ folder") +
                        "); build dlcov with CMake (target dlcov_sancov_runtime)");
    return fs::absolute(path).string();
}

}  // namespace dlcov::sancov
