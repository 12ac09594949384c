// Where a program named without a folder lives: the first executable file of that name in the
// folders of PATH (/usr/bin:/bin when PATH is unset), as a shell finds it.
#pragma once

#include <optional>
#include <string>

namespace dlcov {

// The absolute, normalized path of `name` on PATH; nullopt when no folder has it.
std::optional<std::string> program_on_path(const std::string& name);

}  // namespace dlcov
