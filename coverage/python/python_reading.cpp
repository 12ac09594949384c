#include "python_reading.h"

#include "error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace dlcov::python {

namespace {

constexpr const char* kFormat = "dlcov-python-layout";
constexpr int kFormatVersion = 1;

[[noreturn]] void bad_layout(const std::string& source, const std::string& what) {
    throw UserError(source + ": not a valid Python layout (written by coverage/python/python_layout.py): " + what);
}

std::vector<int> int_list(const json& j, const char* key, const std::string& where, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array()) bad_layout(source, where + ": no list '" + key + "'");
    std::vector<int> out;
    out.reserve(it->size());
    for (const auto& v : *it) {
        if (!v.is_number_integer()) bad_layout(source, where + ": '" + key + "' holds a non-integer");
        out.push_back(v.get<int>());
    }
    return out;
}

Arc arc_of(const json& j, const std::string& where, const std::string& source) {
    if (!j.is_array() || j.size() != 2 || !j[0].is_number_integer() || !j[1].is_number_integer())
        bad_layout(source, where + ": an arc is not a pair of integers");
    return {j[0].get<int>(), j[1].get<int>()};
}

std::string string_of(const json& j, const char* key, const std::string& where, const std::string& source) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) bad_layout(source, where + ": no string '" + key + "'");
    return it->get<std::string>();
}

int first_line_of(const PythonFileMap& map, int line) {
    if (line < 0) return -first_line_of(map, -line);
    auto it = map.first_line.find(line);
    return it == map.first_line.end() ? line : it->second;
}

// coverage.py's FileReporter.translate_arcs: fix jumps out of `with`, then map both ends to the
// first lines of their statements. coverage.py 7.x applies it twice (once to the raw arcs, once
// more after its self-arc adjustment); without fixers a second pass changes nothing.
std::set<Arc> translate_arcs(const PythonFileMap& map, const std::set<Arc>& arcs) {
    std::set<Arc> out;
    for (const Arc& raw : arcs) {
        Arc a = raw;
        if (auto fix = map.arc_fixers.find(raw); fix != map.arc_fixers.end()) {
            if (!fix->second) continue;
            a = *fix->second;
        }
        out.emplace(first_line_of(map, a.first), first_line_of(map, a.second));
    }
    return out;
}

void add_file(PythonLayout& out, const json& f, const std::string& source) {
    std::string rel = string_of(f, "path", "a file", source);
    std::string where = "file " + rel;
    PythonFileMap map;
    SourceFile file;
    file.path = (fs::path(out.base) / rel).lexically_normal().string();

    for (const auto& pair : f.value("first_lines", json::array())) {
        Arc p = arc_of(pair, where + " first_lines", source);
        map.first_line[p.first] = p.second;
    }
    for (const auto& fix : f.value("arc_fixers", json::array())) {
        if (!fix.is_array() || fix.size() != 4 || !fix[0].is_number_integer() || !fix[1].is_number_integer())
            bad_layout(source, where + ": an arc fixer is not [from, to, new from, new to]");
        Arc raw{fix[0].get<int>(), fix[1].get<int>()};
        if (fix[2].is_null() && fix[3].is_null()) map.arc_fixers[raw] = std::nullopt;
        else map.arc_fixers[raw] = arc_of(json::array({fix[2], fix[3]}), where + " arc_fixers", source);
    }

    std::vector<int> statements = int_list(f, "statements", where, source);
    std::set<int> statement_set(statements.begin(), statements.end());
    if (statement_set.size() != statements.size()) bad_layout(source, where + ": repeated statements");

    struct Branch {
        int exits = 0;
        std::vector<Arc> arcs;
    };
    std::map<int, Branch> branches;
    auto bit = f.find("branches");
    if (bit == f.end() || !bit->is_array()) bad_layout(source, where + ": no list 'branches'");
    for (const auto& b : *bit) {
        if (!b.is_object() || !b.contains("line") || !b["line"].is_number_integer() || !b.contains("exits") ||
            !b["exits"].is_number_integer())
            bad_layout(source, where + ": a branch without line and exits");
        int line = b["line"].get<int>();
        Branch& br = branches[line];
        br.exits = b["exits"].get<int>();
        for (const auto& a : b.value("arcs", json::array())) {
            Arc arc = arc_of(a, where + " branch " + std::to_string(line), source);
            if (arc.first != line) bad_layout(source, where + ": branch arc " + std::to_string(arc.first) + "->" +
                                                          std::to_string(arc.second) + " listed under line " +
                                                          std::to_string(line));
            br.arcs.push_back(arc);
        }
        if (br.exits < 2 || size_t(br.exits) < br.arcs.size())
            bad_layout(source, where + ": branch line " + std::to_string(line) + " has " + std::to_string(br.exits) +
                                   " exits and " + std::to_string(br.arcs.size()) + " arcs that can be missed");
    }

    auto dit = f.find("definitions");
    if (dit == f.end() || !dit->is_array() || dit->empty()) bad_layout(source, where + ": no definitions");
    std::set<int> placed_lines, placed_branches;
    for (const auto& d : *dit) {
        std::string kind = string_of(d, "kind", where + " definition", source);
        if (kind != "module" && kind != "function")
            bad_layout(source, where + ": a definition of kind '" + kind + "'");
        FunctionDefinition fn;
        fn.name = string_of(d, "name", where + " definition", source);
        fn.line = unsigned(d.value("line", 0));
        fn.is_function = kind == "function";
        std::string dwhere = where + " " + fn.name;

        Instantiation inst;
        inst.name = fn.name;
        inst.first_line = out.layout.line_numbers.size();
        inst.first_branch = out.layout.branch_lines.size();
        inst.function_index = out.layout.function_items++;
        for (int line : int_list(d, "statements", dwhere, source)) {
            if (!statement_set.count(line)) bad_layout(source, dwhere + ": line " + std::to_string(line) + " is not a statement");
            if (!placed_lines.insert(line).second)
                bad_layout(source, dwhere + ": line " + std::to_string(line) + " is in two definitions");
            map.line_item[line] = out.layout.line_numbers.size();
            out.layout.line_numbers.push_back(unsigned(line));
        }
        for (int line : int_list(d, "branch_lines", dwhere, source)) {
            auto b = branches.find(line);
            if (b == branches.end())
                bad_layout(source, dwhere + ": line " + std::to_string(line) + " is not a branch line");
            if (!placed_branches.insert(line).second)
                bad_layout(source, dwhere + ": branch line " + std::to_string(line) + " is in two definitions");
            // Exits that cannot be missed come first, then one side per exit that can.
            for (size_t k = b->second.arcs.size(); k < size_t(b->second.exits); ++k) {
                map.always_sides.push_back(out.layout.branch_lines.size());
                out.layout.branch_lines.push_back(unsigned(line));
                inst.branch_exits.push_back(0);
            }
            for (const Arc& arc : b->second.arcs) {
                map.arc_side[arc] = out.layout.branch_lines.size();
                out.layout.branch_lines.push_back(unsigned(line));
                inst.branch_exits.push_back(arc.second);
            }
        }
        inst.line_count = out.layout.line_numbers.size() - inst.first_line;
        inst.branch_count = out.layout.branch_lines.size() - inst.first_branch;

        PythonFileMap::Definition def;
        def.function_item = inst.function_index;
        def.first_line = inst.first_line;
        def.line_count = inst.line_count;
        def.entry = d.value("entry", int(fn.line));
        def.covered_by_entry = fn.is_function && inst.line_count == 0;
        map.definitions.push_back(def);

        fn.instantiations.push_back(std::move(inst));
        file.functions.push_back(std::move(fn));
    }
    if (placed_lines.size() != statement_set.size())
        bad_layout(source, where + ": " + std::to_string(statement_set.size() - placed_lines.size()) +
                               " statements in no definition");
    if (placed_branches.size() != branches.size())
        bad_layout(source, where + ": " + std::to_string(branches.size() - placed_branches.size()) +
                               " branch lines in no definition");

    size_t index = out.layout.files.size();
    if (!out.file_by_path.emplace(file.path, index).second) bad_layout(source, where + ": listed twice");
    if (auto real = f.find("real"); real != f.end() && real->is_string()) out.file_by_path.emplace(real->get<std::string>(), index);
    out.relative_paths.push_back(rel);
    out.layout.files.push_back(std::move(file));
    out.maps.push_back(std::move(map));
}

bool named_like_coverage_data(const fs::path& p) {
    std::string name = p.filename().string();
    auto ends_with = [&](const std::string& s) {
        return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    return name.rfind(".coverage", 0) == 0 && !ends_with("-journal") && !ends_with("-wal") && !ends_with("-shm") &&
           name != ".coveragerc";
}

bool starts_like_sqlite(const fs::path& p) {
    char header[16] = {};
    std::ifstream in(p, std::ios::binary);
    in.read(header, sizeof header);
    return in.gcount() == std::streamsize(sizeof header) && std::string(header, 15) == "SQLite format 3" && header[15] == 0;
}

}  // namespace

bool looks_like_coverage_py_data(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return false;
    return starts_like_sqlite(path) || named_like_coverage_data(path);
}

std::optional<size_t> PythonLayout::find(const std::string& path) const {
    auto it = file_by_path.find(path);
    if (it == file_by_path.end()) return std::nullopt;
    return it->second;
}

PythonLayout python_layout_from_json(const json& j, const std::string& source) {
    if (!j.is_object() || j.value("format", "") != kFormat) bad_layout(source, std::string("no \"format\": \"") + kFormat + "\"");
    if (j.value("format_version", 0) != kFormatVersion)
        bad_layout(source, "format_version " + std::to_string(j.value("format_version", 0)) + ", dlcov reads " +
                               std::to_string(kFormatVersion));
    PythonLayout out;
    out.root = string_of(j, "root", "the layout", source);
    out.base = string_of(j, "base", "the layout", source);
    out.python_version = j.value("python", "");
    out.coverage_version = j.value("coverage_version", "");
    auto files = j.find("files");
    if (files == j.end() || !files->is_array()) bad_layout(source, "no list 'files'");
    std::vector<const json*> sorted;
    for (const auto& f : *files) {
        if (!f.is_object()) bad_layout(source, "a file entry is not an object");
        sorted.push_back(&f);
    }
    std::sort(sorted.begin(), sorted.end(), [&](const json* a, const json* b) {
        return (fs::path(out.base) / a->value("path", "")).lexically_normal().string() <
               (fs::path(out.base) / b->value("path", "")).lexically_normal().string();
    });
    for (const json* f : sorted) add_file(out, *f, source);
    for (const auto& e : j.value("failed", json::array()))
        out.failed.push_back({e.value("path", ""), e.value("reason", "")});
    return out;
}

PythonLayout load_python_layout(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw UserError(path + ": cannot read the Python layout");
    json j;
    try {
        in >> j;
    } catch (const json::exception& e) {
        throw UserError(path + ": not a valid Python layout: " + e.what());
    }
    return python_layout_from_json(j, path);
}

PythonReading read_python_counts(const PythonLayout& layout, const std::vector<CoveragePyData>& data,
                                 const std::vector<PathPrefix>& prefixes) {
    PythonReading out;
    out.counts = CoverageCounts::zeros(layout.layout);
    out.data_files = data.size();
    std::vector<char> line_hit(layout.layout.line_numbers.size(), 0);  // this file, this data file
    for (const CoveragePyData& d : data) {
        for (const auto& [recorded, executed] : d.files) {
            std::optional<size_t> index = layout.find(recorded);
            for (size_t p = 0; !index && p < prefixes.size(); ++p) {
                const std::string& from = prefixes[p].from;
                if (recorded.size() > from.size() && recorded.compare(0, from.size(), from) == 0 &&
                    recorded[from.size()] == '/')
                    index = layout.find(prefixes[p].to + recorded.substr(from.size()));
            }
            if (!index) {
                // coverage.py also records the unexecuted files of its source with nothing run
                // (a file the layout could not parse among them): those are no loss.
                if (!executed.lines.empty() || !executed.arcs.empty()) ++out.unlisted[recorded];
                continue;
            }
            const PythonFileMap& map = layout.maps[*index];

            // Lines: translated to first lines, kept where they are statements.
            std::vector<size_t> lines_touched;
            for (int line : executed.lines) {
                auto it = map.line_item.find(first_line_of(map, line));
                if (it != map.line_item.end() && !line_hit[it->second]) {
                    line_hit[it->second] = 1;
                    lines_touched.push_back(it->second);
                }
            }
            for (size_t item : lines_touched) ++out.counts.lines[item];

            // Branches: translated arcs that are exits which can be missed.
            std::set<Arc> arcs = translate_arcs(map, translate_arcs(map, {executed.arcs.begin(), executed.arcs.end()}));
            std::set<int> entered;
            for (const Arc& arc : arcs) {
                if (auto it = map.arc_side.find(arc); it != map.arc_side.end()) ++out.counts.branches[it->second];
                if (arc.first < 0) entered.insert(-arc.first);
            }

            // Functions: a definition ran when one of its own statements ran (or, having none,
            // when it was entered).
            for (size_t k = 0; k < map.definitions.size(); ++k) {
                const auto& def = map.definitions[k];
                bool ran = def.covered_by_entry && entered.count(def.entry);
                for (size_t i = def.first_line; !ran && i < def.first_line + def.line_count; ++i) ran = line_hit[i];
                if (ran) ++out.counts.functions[def.function_item];
            }
            for (size_t item : lines_touched) line_hit[item] = 0;
        }
    }
    for (const PythonFileMap& map : layout.maps)
        for (size_t side : map.always_sides) out.counts.branches[side] = 1;
    return out;
}

PythonDataFiles read_python_data_files(const std::vector<std::string>& files_or_folders, bool strict) {
    PythonDataFiles out;
    auto read_one = [&](const std::string& path) {
        try {
            out.data.push_back(read_coverage_py_data(path));
        } catch (const UserError& e) {
            if (strict) throw;
            out.skipped.push_back({path, e.what()});
        }
    };
    for (const std::string& arg : files_or_folders) {
        std::error_code ec;
        if (!fs::is_directory(arg, ec)) {
            read_one(arg);
            continue;
        }
        std::vector<fs::path> found;
        for (auto it = fs::recursive_directory_iterator(arg, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec))
            if (it->is_regular_file(ec)) found.push_back(it->path());
        if (ec) throw UserError(arg + ": cannot list the folder: " + ec.message());
        std::sort(found.begin(), found.end());
        for (const fs::path& p : found)
            if (looks_like_coverage_py_data(p.string())) read_one(p.string());
    }
    return out;
}

}  // namespace dlcov::python
