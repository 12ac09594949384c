#include "gcov_layout.h"

#include "error.h"
#include "gcov_text.h"
#include "gcovr_rules.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace dlcov::gcov {

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(path + ": cannot read gcov's output");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The lines of `text` without their newlines.
std::vector<std::string_view> split_lines(const std::string& text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.emplace_back(text.data() + start, end - start);
        start = end + 1;
    }
    return lines;
}

// A count of some object's output: which object, which of its slots.
struct Occurrence {
    uint32_t object, slot;
};

struct LineBuild {
    bool no_code = false;                          // looks_like_no_code(its source text)
    std::vector<Occurrence> counted;               // counts printed for it, every object
    std::set<uint32_t> not_code_in;                // objects whose output makes it no code for gcovr
    std::map<unsigned, std::vector<Occurrence>> branches;  // by branch number
};

struct FunctionBuild {
    unsigned line = 0;  // gcovr keeps the largest
    std::vector<Occurrence> counts;
};

struct FileBuild {
    std::map<unsigned, LineBuild> lines;
    std::map<std::string, FunctionBuild> functions;  // by demangled name
};

// One object's output of one source file, read as gcovr's parse_coverage reads a .gcov file.
class FileReader {
public:
    FileReader(FileBuild& file, ObjectSlots& slots, uint32_t object) : file_(file), slots_(slots), object_(object) {}

    void read(const std::vector<GcovTextLine>& lines) {
        ExclusionMarkers markers;
        for (const auto& l : lines)
            if (l.kind == GcovTextLine::Source) markers.add_line(l.number, l.text);
        for (const auto& l : lines) {
            switch (l.kind) {
                case GcovTextLine::Source: source(l, markers); break;
                case GcovTextLine::Branch: branch(l, markers); break;
                case GcovTextLine::Function: function(l); break;
                default: break;
            }
        }
        for (const auto& [name, slot] : deferred_) add_function(name, slot, line_ + 1);
    }

private:
    uint32_t new_slot(Slot::Kind kind, unsigned number) {
        slots_.slots.push_back(Slot{kind, Slot::None, number, 0});
        return uint32_t(slots_.slots.size() - 1);
    }

    void source(const GcovTextLine& l, const ExclusionMarkers& markers) {
        const bool excluded = markers.line_excluded(l.number);
        LineBuild& line = file_.lines[l.number];
        line.no_code = looks_like_no_code(l.text);
        if (!l.dash) {
            uint32_t slot = new_slot(Slot::Source, l.number);
            if (!excluded) line.counted.push_back({object_, slot});
        }
        // gcovr marks the line "noncode" here: excluded, or "-" on text that is no code. (A count
        // of 0 on such text does the same, which depends on the counts: see LineBuild::no_code.)
        if (excluded || (l.dash && line.no_code)) line.not_code_in.insert(object_);
        for (const auto& [name, slot] : deferred_) add_function(name, slot, l.number);
        deferred_.clear();
        line_ = l.number;
        line_excluded_ = excluded;
    }

    void branch(const GcovTextLine& l, const ExclusionMarkers& markers) {
        uint32_t slot = new_slot(Slot::Branch, l.number);
        if (line_excluded_ || markers.branch_excluded(line_)) return;
        file_.lines[line_].branches[l.number].push_back({object_, slot});
    }

    void function(const GcovTextLine& l) {
        uint32_t slot = new_slot(Slot::Function, 0);
        // gcovr attaches a function to the next source line; internal ones it leaves out.
        if (!is_internal_function(l.text)) deferred_.emplace_back(std::string(l.text), slot);
    }

    void add_function(const std::string& name, uint32_t slot, unsigned line) {
        FunctionBuild& f = file_.functions[name];
        f.line = std::max(f.line, line);
        f.counts.push_back({object_, slot});
    }

    FileBuild& file_;
    ObjectSlots& slots_;
    uint32_t object_;
    unsigned line_ = 0;
    bool line_excluded_ = false;
    std::vector<std::pair<std::string, uint32_t>> deferred_;
};

// Calls `each(source_name, lines)` for every source file of one gcov output.
template <typename Each>
void for_each_output_file(const std::string& text, const std::string& where, Each each) {
    std::vector<std::string_view> raw = split_lines(text);
    std::vector<GcovTextLine> lines;
    std::string source;
    bool in_file = false;
    auto flush = [&] {
        if (in_file) each(source, lines);
        lines.clear();
    };
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i].empty()) continue;
        GcovTextLine l = parse_gcov_text_line(raw[i], where + ":" + std::to_string(i + 1));
        if (l.kind == GcovTextLine::Metadata && l.text == "Source") {
            flush();
            source = std::string(l.value);
            in_file = true;
            continue;
        }
        if (!in_file) throw UserError(where + ":" + std::to_string(i + 1) + ": gcov's output does not start with a Source: line");
        lines.push_back(l);
    }
    flush();
}

class LayoutWriter {
public:
    explicit LayoutWriter(GcovLayout& out) : out_(out) {}

    void add_file(const std::string& path, FileBuild& build) {
        SourceFile file{path, {}};
        add_code_lines(file, build);
        for (auto& [number, line] : build.lines)
            if (line.no_code) add_no_code_line(file, number, line);
        std::vector<std::pair<const std::string*, FunctionBuild*>> functions;
        for (auto& [name, f] : build.functions) functions.emplace_back(&name, &f);
        std::stable_sort(functions.begin(), functions.end(),
                         [](const auto& a, const auto& b) { return a.second->line < b.second->line; });
        for (auto& [name, f] : functions) add_function(file, *name, *f);
        if (!file.functions.empty()) out_.layout.files.push_back(std::move(file));
    }

private:
    CoverageLayout& layout() { return out_.layout; }

    void target(const Occurrence& o, Slot::Target t, size_t index) {
        Slot& s = out_.objects[o.object].slots[o.slot];
        s.target = t;
        s.index = uint32_t(index);
    }

    // The objects in which the line is code for gcovr: it printed a count there, and nothing made
    // it no code.
    static std::set<uint32_t> counting_objects(const LineBuild& line) {
        std::set<uint32_t> out;
        for (const auto& o : line.counted)
            if (!line.not_code_in.count(o.object)) out.insert(o.object);
        return out;
    }

    void add_branches(unsigned number, LineBuild& line) {
        for (auto& [branch, occurrences] : line.branches) {
            size_t index = layout().branch_lines.size();
            layout().branch_lines.push_back(number);
            for (const auto& o : occurrences) target(o, Slot::BranchSide, index);
        }
    }

    Instantiation new_instantiation(std::string name) {
        Instantiation inst;
        inst.name = std::move(name);
        inst.first_line = layout().line_numbers.size();
        inst.first_branch = layout().branch_lines.size();
        inst.function_index = layout().function_items++;  // a non-function's item, never counted
        return inst;
    }

    // Lines that are code, all in one definition: one item per line, all its counts added.
    void add_code_lines(SourceFile& file, FileBuild& build) {
        FunctionDefinition def;
        def.name = "";
        def.display_name = "(lines of the file)";
        def.is_function = false;
        Instantiation inst = new_instantiation("lines of " + file.path);
        std::vector<std::pair<unsigned, LineBuild*>> code;
        for (auto& [number, line] : build.lines) {
            if (line.no_code || counting_objects(line).empty()) continue;
            size_t index = layout().line_numbers.size();
            layout().line_numbers.push_back(number);
            for (const auto& o : line.counted) target(o, Slot::Line, index);
            code.emplace_back(number, &line);
        }
        for (auto& [number, line] : code) add_branches(number, *line);
        inst.line_count = layout().line_numbers.size() - inst.first_line;
        inst.branch_count = layout().branch_lines.size() - inst.first_branch;
        if (inst.line_count == 0) return;
        def.line = code.front().first;
        def.instantiations.push_back(std::move(inst));
        file.functions.push_back(std::move(def));
    }

    // A line that looks like no code: one instantiation per object where it can count, holding
    // that object's occurrences; all of them share the line's branch sides.
    void add_no_code_line(SourceFile& file, unsigned number, LineBuild& line) {
        std::set<uint32_t> objects = counting_objects(line);
        if (objects.empty()) return;  // never a line for gcovr: its counts and branches go nowhere
        FunctionDefinition def;
        def.display_name = "(line " + std::to_string(number) + ")";
        def.is_function = false;
        def.line = number;
        size_t first_branch = layout().branch_lines.size();
        add_branches(number, line);
        size_t branch_count = layout().branch_lines.size() - first_branch;
        for (uint32_t object : objects) {
            Instantiation inst = new_instantiation("line " + std::to_string(number) + " in object " + std::to_string(object));
            for (const auto& o : line.counted) {
                if (o.object != object) continue;
                target(o, Slot::Line, layout().line_numbers.size());
                layout().line_numbers.push_back(number);
            }
            inst.line_count = layout().line_numbers.size() - inst.first_line;
            inst.first_branch = first_branch;
            inst.branch_count = branch_count;
            inst.counts_when_all_ran = true;
            def.instantiations.push_back(std::move(inst));
        }
        file.functions.push_back(std::move(def));
    }

    void add_function(SourceFile& file, const std::string& name, FunctionBuild& f) {
        FunctionDefinition def;
        def.name = name;
        def.display_name = name;
        def.line = f.line;
        Instantiation inst = new_instantiation(name);
        for (const auto& o : f.counts) target(o, Slot::FunctionItem, inst.function_index);
        def.instantiations.push_back(std::move(inst));
        file.functions.push_back(std::move(def));
    }

    GcovLayout& out_;
};

}  // namespace

std::string source_path(const std::string& working_dir, const std::string& name) {
    fs::path p(name);
    if (p.is_relative() && !working_dir.empty()) p = fs::path(working_dir) / p;
    return p.lexically_normal().string();
}

GcovLayout build_gcov_layout(const std::vector<LayoutOutput>& outputs) {
    GcovLayout out;
    out.objects.resize(outputs.size());
    std::map<std::string, FileBuild> files;
    for (size_t o = 0; o < outputs.size(); ++o) {
        const LayoutOutput& output = outputs[o];
        std::string text = read_text(output.text_file);
        for_each_output_file(text, output.where, [&](const std::string& source, const std::vector<GcovTextLine>& lines) {
            out.objects[o].files.push_back(source);
            std::string path = source_path(output.working_dir, source);
            FileReader(files[path], out.objects[o], uint32_t(o)).read(lines);
        });
    }
    LayoutWriter writer(out);
    for (auto& [path, build] : files) writer.add_file(path, build);
    return out;
}

void add_gcov_counts(const GcovLayout& layout, size_t object, const std::string& text_file, const std::string& where,
                     CoverageCounts& counts) {
    const ObjectSlots& expected = layout.objects.at(object);
    std::string text = read_text(text_file);
    std::vector<std::string_view> raw = split_lines(text);
    size_t next = 0, file = 0;
    auto mismatch = [&](size_t line, const std::string& what) {
        return UserError(where + ":" + std::to_string(line + 1) + ": " + what +
                         " (the data file is not of these objects' build: rebuilt since?)");
    };
    for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i].empty()) continue;
        GcovTextLine l = parse_gcov_text_line(raw[i], where + ":" + std::to_string(i + 1));
        Slot::Kind kind;
        switch (l.kind) {
            case GcovTextLine::Metadata:
                if (l.text == "Source") {
                    if (file >= expected.files.size() || expected.files[file] != l.value)
                        throw mismatch(i, "gcov printed the source file " + std::string(l.value) + " where the layout has " +
                                              (file < expected.files.size() ? expected.files[file] : "no more files"));
                    ++file;
                }
                continue;
            case GcovTextLine::Source:
                if (l.dash) continue;
                kind = Slot::Source;
                break;
            case GcovTextLine::Branch: kind = Slot::Branch; break;
            case GcovTextLine::Function: kind = Slot::Function; l.number = 0; break;
            default: continue;
        }
        if (next >= expected.slots.size()) throw mismatch(i, "more counts than the layout has");
        const Slot& s = expected.slots[next++];
        if (s.kind != kind || s.number != l.number) throw mismatch(i, "a count where the layout has another line or branch");
        switch (s.target) {
            case Slot::Line: counts.lines[s.index] += l.count; break;
            case Slot::BranchSide: counts.branches[s.index] += l.count; break;
            case Slot::FunctionItem: counts.functions[s.index] += l.count; break;
            case Slot::None: break;
        }
    }
    if (next != expected.slots.size() || file != expected.files.size())
        throw UserError(where + ": gcov's output ends before the layout's last count (the data file is not of these "
                                "objects' build: rebuilt since?)");
}

}  // namespace dlcov::gcov
