#include "tool_paths.h"

#include "error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov {

std::string helper_program(const std::string& folder, const std::string& name) {
    fs::path self = fs::read_symlink("/proc/self/exe");
    // build/tools/dlcov -> build/runners/<folder>/<name>
    for (fs::path candidate : {self.parent_path().parent_path() / "runners" / folder / name,
                               self.parent_path() / name})
        if (fs::is_regular_file(candidate)) return candidate.string();
    throw UserError("helper program " + name + " not found next to " + self.string() +
                    " (is the build complete? run `make`)");
}

}  // namespace dlcov
