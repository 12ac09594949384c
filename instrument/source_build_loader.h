// Reading a framework config's `build:` section (source_build_config.h).
#pragma once
#include "source_build_config.h"
#include "yaml_config.h"

namespace dlcov {

// Checks every key, value and placeholder; relative paths (python: requirements) resolve against
// `dir`. Throws UserError "FILE:LINE: key 'KEY': ..." for anything wrong.
SourceBuild load_source_build(const YamlFile& file, const YAML::Node& build, const std::string& dir);

}  // namespace dlcov
