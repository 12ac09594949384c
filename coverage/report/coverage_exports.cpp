#include "coverage_exports.h"

#include "component.h"
#include "html_escape.h"
#include "line_view.h"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>

namespace dlcov {

namespace {


FileLineView union_view(const Comparison& c, size_t file) { return build_line_view(c.layout, file, c.all.counts, {}); }

struct FunctionRecord {
    std::string name;
    unsigned line;
    uint64_t executions;
};

// The file's functions: Python's module code is a definition but no function (FN, methods).
std::vector<FunctionRecord> function_records(const Comparison& c, size_t file) {
    std::vector<FunctionRecord> out;
    for (const FunctionDefinition& fn : c.layout.files[file].functions) {
        if (!fn.is_function) continue;
        uint64_t executions = 0;
        for (const Instantiation& inst : fn.instantiations) executions += c.all.counts.functions[inst.function_index];
        out.push_back({definition_display_name(fn), fn.line, executions});
    }
    return out;
}

// lcov splits FN records on commas; demangled names contain them.
std::string lcov_function_name(std::string name, unsigned line, size_t index) {
    for (char& ch : name)
        if (ch == ',' || ch == '\n') ch = ';';
    // Two definitions may demangle to one name (e.g. lambdas); lcov keys functions by name.
    return fmt::format("{}@{}#{}", name, line, index);
}

double rate(const Tally& t) { return t.total ? double(t.covered) / double(t.total) : 1.0; }

}  // namespace

std::string lcov_tracefile(const Comparison& c, const std::string& test_name) {
    std::string out;
    for (size_t f = 0; f < c.layout.files.size(); ++f) {
        if (!c.assignment.counted(f)) continue;
        out += "TN:" + test_name + "\n";
        out += "SF:" + c.layout.files[f].path + "\n";
        auto functions = function_records(c, f);
        size_t hit_functions = 0;
        for (size_t i = 0; i < functions.size(); ++i)
            out += fmt::format("FN:{},{}\n", functions[i].line, lcov_function_name(functions[i].name, functions[i].line, i));
        for (size_t i = 0; i < functions.size(); ++i) {
            out += fmt::format("FNDA:{},{}\n", functions[i].executions,
                               lcov_function_name(functions[i].name, functions[i].line, i));
            hit_functions += functions[i].executions > 0;
        }
        out += fmt::format("FNF:{}\nFNH:{}\n", functions.size(), hit_functions);
        FileLineView view = union_view(c, f);
        for (const auto& [line, lc] : view.lines)
            for (const BranchSide& b : lc.branches)
                out += fmt::format("BRDA:{},{},{},{}\n", line, b.block, b.side, b.count);
        Tally branches = view.branch_tally();
        out += fmt::format("BRF:{}\nBRH:{}\n", branches.total, branches.covered);
        for (const auto& [line, lc] : view.lines) out += fmt::format("DA:{},{}\n", line, lc.hits);
        Tally lines = view.line_tally();
        out += fmt::format("LF:{}\nLH:{}\nend_of_record\n", lines.total, lines.covered);
    }
    return out;
}

CoverageTally export_totals(const Comparison& c) {
    CoverageTally t;
    for (size_t f = 0; f < c.layout.files.size(); ++f) {
        if (!c.assignment.counted(f)) continue;
        FileLineView view = union_view(c, f);
        t.lines += view.line_tally();
        t.branches += view.branch_tally();
        for (const auto& fn : function_records(c, f)) t.functions += Tally{fn.executions > 0 ? 1u : 0u, 1};
    }
    return t;
}

std::string cobertura_xml(const Comparison& c, const std::string& source_root) {
    struct FileXml {
        Tally lines, branches;
        std::string xml;
    };
    std::map<std::string, std::vector<FileXml>> packages;  // component id -> files
    CoverageTally total;
    for (size_t f = 0; f < c.layout.files.size(); ++f) {
        if (!c.assignment.counted(f)) continue;
        FileLineView view = union_view(c, f);
        FileXml fx{view.line_tally(), view.branch_tally(), {}};
        total.lines += fx.lines;
        total.branches += fx.branches;
        const std::string& rel = c.assignment.relative_paths[f];
        std::string methods;
        for (const auto& fn : function_records(c, f)) {
            auto it = view.lines.find(fn.line);
            methods += fmt::format("          <method name=\"{}\" signature=\"\" line-rate=\"{}\" branch-rate=\"0\">"
                                   "<lines><line number=\"{}\" hits=\"{}\"/></lines></method>\n",
                                   html_escape(fn.name), fn.executions > 0 ? 1 : 0, fn.line,
                                   it == view.lines.end() ? fn.executions : it->second.hits);
        }
        std::string lines;
        for (const auto& [line, lc] : view.lines) {
            if (lc.branches.empty()) {
                lines += fmt::format("          <line number=\"{}\" hits=\"{}\" branch=\"false\"/>\n", line, lc.hits);
                continue;
            }
            size_t taken = 0;
            for (const auto& b : lc.branches) taken += b.count > 0;
            lines += fmt::format(
                "          <line number=\"{}\" hits=\"{}\" branch=\"true\" condition-coverage=\"{}% ({}/{})\"/>\n", line,
                lc.hits, 100 * taken / lc.branches.size(), taken, lc.branches.size());
        }
        fx.xml = fmt::format(
            "      <class name=\"{0}\" filename=\"{0}\" line-rate=\"{1:.4f}\" branch-rate=\"{2:.4f}\" complexity=\"0\">\n"
            "        <methods>\n{3}        </methods>\n        <lines>\n{4}        </lines>\n      </class>\n",
            html_escape(rel), rate(fx.lines), rate(fx.branches), methods, lines);
        const std::optional<Component>& comp = c.assignment.components[f];
        std::string package = comp ? component_id(*comp) : "all";
        packages[package].push_back(std::move(fx));
    }
    std::string body;
    for (const auto& [name, files] : packages) {
        Tally lines, branches;
        std::string classes;
        for (const auto& fx : files) {
            lines += fx.lines;
            branches += fx.branches;
            classes += fx.xml;
        }
        body += fmt::format(
            "    <package name=\"{}\" line-rate=\"{:.4f}\" branch-rate=\"{:.4f}\" complexity=\"0\">\n"
            "      <classes>\n{}      </classes>\n    </package>\n",
            html_escape(name), rate(lines), rate(branches), classes);
    }
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n"
        "<coverage line-rate=\"{:.4f}\" branch-rate=\"{:.4f}\" lines-covered=\"{}\" lines-valid=\"{}\" "
        "branches-covered=\"{}\" branches-valid=\"{}\" complexity=\"0\" version=\"dlcov\" timestamp=\"{}\">\n"
        "  <sources>\n    <source>{}</source>\n  </sources>\n  <packages>\n{}  </packages>\n</coverage>\n",
        rate(total.lines), rate(total.branches), total.lines.covered, total.lines.total, total.branches.covered,
        total.branches.total, long(std::time(nullptr)), html_escape(source_root), body);
}

}  // namespace dlcov
