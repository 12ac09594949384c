#include "path_remap.h"

namespace dlcov {

std::string PathRemap::apply(const std::string& path) const {
    for (const auto& [from, to] : rules) {
        std::string prefix = from;
        while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
        if (path.compare(0, prefix.size(), prefix) != 0) continue;
        if (path.size() == prefix.size()) return to;
        if (path[prefix.size()] != '/') continue;  // /a/bc is not under /a/b
        return to + path.substr(prefix.size());
    }
    return path;
}

}  // namespace dlcov
