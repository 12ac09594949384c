#include "html_link_check.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Values of every attribute starting with `prefix` (e.g. ` href="`) in `text`.
std::vector<std::string> attribute_values(const std::string& text, const std::string& prefix) {
    std::vector<std::string> values;
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        size_t start = at + prefix.size(), end = text.find('"', start);
        if (end == std::string::npos) break;
        values.push_back(text.substr(start, end - start));
    }
    return values;
}

// The ids a page defines, read once per page.
const std::set<std::string>& ids_of(std::map<std::string, std::set<std::string>>& cache, const fs::path& page) {
    auto it = cache.find(page.string());
    if (it != cache.end()) return it->second;
    std::set<std::string> ids;
    for (const std::string& id : attribute_values(slurp(page), " id=\"")) ids.insert(id);
    return cache.emplace(page.string(), std::move(ids)).first->second;
}

}  // namespace

std::vector<BrokenLink> check_report_links(const std::string& report_dir) {
    std::vector<BrokenLink> broken;
    std::map<std::string, std::set<std::string>> id_cache;
    for (const auto& entry : fs::directory_iterator(report_dir)) {
        if (entry.path().extension() != ".html") continue;
        std::string page = entry.path().filename().string();
        std::string text = slurp(entry.path());
        std::vector<std::string> targets = attribute_values(text, " href=\"");
        for (const std::string& src : attribute_values(text, " src=\"")) targets.push_back(src);
        for (const std::string& target : targets) {
            if (target.find("://") != std::string::npos || target.rfind("//", 0) == 0 || target.rfind("file:", 0) == 0) {
                broken.push_back({page, target, "points outside the report"});
                continue;
            }
            std::string file = target.substr(0, target.find('#'));
            std::string fragment = target.find('#') == std::string::npos ? "" : target.substr(target.find('#') + 1);
            fs::path resolved = file.empty() ? entry.path() : fs::path(report_dir) / file;
            if (!fs::is_regular_file(resolved)) {
                broken.push_back({page, target, "no such file"});
                continue;
            }
            if (!fragment.empty() && resolved.extension() == ".html" && !ids_of(id_cache, resolved).count(fragment))
                broken.push_back({page, target, "no element with id " + fragment});
        }
    }
    return broken;
}

}  // namespace dlcov
