#include "debian_package.h"

#include "process.h"

namespace dlcov {

std::optional<std::string> installed_debian_version(const std::string& package) {
    ProcessSpec spec;
    spec.argv = {"/usr/bin/dpkg-query", "-W", "-f=${Status}\t${Version}", package};
    ProcessResult r = run_process(spec);
    size_t tab = r.output.find('\t');
    if (tab == std::string::npos || r.output.substr(0, tab).find("install ok installed") == std::string::npos)
        return std::nullopt;
    return r.output.substr(tab + 1);
}

}  // namespace dlcov
