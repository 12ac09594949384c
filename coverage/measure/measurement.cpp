#include "measurement.h"

#include "error.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// `path` relative to `root` when it lies under it; nullopt otherwise.
std::optional<std::string> relative_to(const std::string& path, const std::string& root) {
    if (root.empty()) return path;
    fs::path rel = fs::path(path).lexically_normal().lexically_relative(fs::path(root).lexically_normal());
    if (rel.empty() || *rel.begin() == "..") return std::nullopt;
    return rel.generic_string();
}

}  // namespace

FileAssignment assign_files(const CoverageLayout& layout, const ComponentMap* map,
                            const std::string& source_root, const PathRemap& remap) {
    FileAssignment a;
    a.has_map = map != nullptr;
    std::vector<std::string> unmapped;
    for (const auto& file : layout.files) {
        std::optional<std::string> rel = relative_to(remap.apply(file.path), source_root);
        a.relative_paths.push_back(rel ? *rel : file.path);
        if (!map) {
            a.components.push_back(std::nullopt);  // counted, in no component
            a.exclusion_reasons.push_back("");
            continue;
        }
        if (!rel) {
            a.components.push_back(std::nullopt);
            a.exclusion_reasons.push_back("outside the source root " + source_root);
            continue;
        }
        Classification c = map->classify(*rel);
        if (c.kind == Classification::Mapped) {
            a.components.push_back(c.component);
            a.exclusion_reasons.push_back("");
        } else {
            a.components.push_back(std::nullopt);
            a.exclusion_reasons.push_back(c.reason);
            if (c.kind == Classification::Unmapped) unmapped.push_back(*rel);
        }
    }
    if (!unmapped.empty()) {
        std::string list;
        for (const auto& u : unmapped) list += "\n  " + u;
        throw UserError(map->path() + ": " + std::to_string(unmapped.size()) +
                        " instrumented file(s) match no rule, override or exclude:" + list);
    }
    return a;
}

Measurement summarize(const CoverageLayout& layout, const CoverageCounts& counts,
                      const FileAssignment& assignment) {
    Measurement m;
    if (assignment.has_map)
        for (Component c : kComponents) m.components[c] = {};
    for (size_t i = 0; i < layout.files.size(); ++i) {
        if (!assignment.counted(i)) {
            m.excluded.emplace_back(assignment.relative_paths[i], assignment.exclusion_reasons[i]);
            continue;
        }
        CoverageTally t = summarize_file(layout, i, counts);
        m.total += t;
        std::string component;
        if (const auto& c = assignment.components[i]) {
            m.components[*c] += t;
            component = component_id(*c);
        }
        m.files.push_back({assignment.relative_paths[i], component, t});
    }
    return m;
}

void append_assignment(FileAssignment& into, const FileAssignment& more) {
    auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
    append(into.relative_paths, more.relative_paths);
    append(into.components, more.components);
    append(into.exclusion_reasons, more.exclusion_reasons);
    into.has_map = into.has_map || more.has_map;
}

nlohmann::json to_json(const CoverageTally& t) {
    auto one = [](const Tally& x) {
        return nlohmann::json{{"covered", x.covered}, {"total", x.total}, {"percent", x.percent()}};
    };
    return {{"lines", one(t.lines)}, {"branches", one(t.branches)}, {"functions", one(t.functions)}};
}

ComponentTallies tallies_by_component_id(const Measurement& m) {
    ComponentTallies out;
    out["overall"] = m.total;
    for (const auto& [component, tally] : m.components) out[component_id(component)] = tally;
    return out;
}

nlohmann::json to_json(const Measurement& m) {
    nlohmann::json j;
    j["total"] = to_json(m.total);
    j["components"] = nlohmann::json::object();
    for (const auto& [c, t] : m.components) j["components"][component_id(c)] = to_json(t);
    j["files"] = nlohmann::json::array();
    for (const auto& f : m.files) {
        nlohmann::json entry = to_json(f.tally);
        entry["path"] = f.path;
        entry["component"] = f.component;
        j["files"].push_back(entry);
    }
    j["excluded"] = nlohmann::json::array();
    for (const auto& [path, reason] : m.excluded) j["excluded"].push_back({{"path", path}, {"reason", reason}});
    return j;
}

}  // namespace dlcov
