// Whether a Debian package is installed, and at which version (dpkg-query).
#pragma once
#include <optional>
#include <string>

namespace dlcov {

// The installed version of `package`, or nullopt when it is not installed (or there is no dpkg).
std::optional<std::string> installed_debian_version(const std::string& package);

}  // namespace dlcov
