#include "gcov_layer.h"

#include "error.h"
#include "data_sum.h"
#include "gcov_files.h"
#include "gcov_tools.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace dlcov::gcov {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A fold's unfinished total (gcov-total.partial/) holds data files that are no profile yet.
bool inside_partial(const fs::path& path) {
    for (const auto& part : path.parent_path())
        if (ends_with(part.string(), ".partial")) return true;
    return false;
}

// How many trailing path components two paths share.
size_t common_suffix(const fs::path& a, const fs::path& b) {
    std::vector<std::string> x, y;
    for (const auto& p : a) x.push_back(p.string());
    for (const auto& p : b) y.push_back(p.string());
    size_t n = 0;
    while (n < x.size() && n < y.size() && x[x.size() - 1 - n] == y[y.size() - 1 - n]) ++n;
    return n;
}

// Files among `paths`, folders searched recursively for data files.
std::vector<std::string> data_files_of(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && ends_with(e.path().string(), ".gcda")) out.push_back(e.path().string());
        } else {
            out.push_back(p);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string hex(uint32_t v) {
    char buffer[9];
    snprintf(buffer, sizeof buffer, "%08x", v);
    return buffer;
}

// Exchanges two folders in one step (Linux renameat2 RENAME_EXCHANGE), so a reader sees one or the other.
void exchange_folders(const fs::path& a, const fs::path& b) {
    if (renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0)
        throw UserError("cannot replace the gcov running total " + b.string() + " by " + a.string() + ": " +
                        std::strerror(errno));
}

}  // namespace

std::vector<std::string> find_notes_files(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && ends_with(e.path().string(), ".gcno"))
                    out.push_back(fs::absolute(e.path()).lexically_normal().string());
        } else if (fs::exists(p, ec)) {
            out.push_back(fs::absolute(p).lexically_normal().string());
        } else {
            throw UserError(p + ": no such notes file (.gcno) or folder");
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string process_folder_of(const std::string& data_file) {
    for (fs::path p = fs::path(data_file).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path())
        if (ends_with(p.filename().string(), ".gcda.d")) return p.string();
    return "";
}

GcovLayer::GcovLayer(const std::vector<std::string>& notes, std::string source_root, std::string gcov)
    : source_root_(std::move(source_root)), gcov_(std::move(gcov)) {
    for (const auto& n : find_notes_files(notes)) {
        NotesHeader h = read_notes_header(n);
        GcovObject o;
        o.notes = n;
        o.data_name = fs::path(n).replace_extension(".gcda").string();
        o.working_dir = h.working_dir;
        o.version = h.version;
        o.stamp = h.stamp;
        o.functions = h.functions;
        if (!objects_.empty() && gcc_major(o.version) != gcc_major(objects_.front().version))
            throw UserError(n + ": written by gcc " + gcc_version_text(o.version) + ", " + objects_.front().notes +
                            " by gcc " + gcc_version_text(objects_.front().version) +
                            ": one layer reads the objects of one gcc");
        objects_.push_back(std::move(o));
    }
    if (objects_.empty()) throw UserError("no gcc notes files (.gcno) to measure: compile with gcc --coverage");
    const std::string major = std::to_string(gcc_major(objects_.front().version));
    if (gcov_.empty()) gcov_ = "gcov-" + major;

    ScratchFolder scratch("gcov-layout");
    std::vector<LayoutOutput> outputs;
    for (size_t i = 0; i < objects_.size(); ++i) {
        const GcovObject& o = objects_[i];
        std::string text = scratch.path() + "/layout-" + std::to_string(i) + ".txt";
        std::string errors = run_gcov(gcov_, o.notes, "", o.working_dir, scratch.path(), text);
        // gcov says it assumes nothing ran (no data file: as meant); anything else it says matters.
        size_t start = 0;
        while (start < errors.size()) {
            size_t end = errors.find('\n', start);
            if (end == std::string::npos) end = errors.size();
            std::string line = errors.substr(start, end - start);
            if (!line.empty() && line.find("assuming not executed") == std::string::npos)
                layout_warnings_.push_back("gcov on " + o.notes + ": " + line);
            start = end + 1;
        }
        outputs.push_back({text, o.working_dir, "gcov's output for " + o.notes});
    }
    layout_ = build_gcov_layout(outputs);
}

bool GcovLayer::recognises(const std::string& path) const {
    fs::path p(path);
    if (ends_with(p.filename().string(), ".gcda.d")) {
        std::error_code ec;
        return fs::is_directory(p, ec);
    }
    return ends_with(p.filename().string(), ".gcda") && !inside_partial(p);
}

GcovLayer::Matched GcovLayer::match(const std::vector<std::string>& data_files) const {
    Matched m;
    for (const auto& f : data_files) {
        DataHeader h;
        try {
            h = check_data_file(f);
        } catch (const UserError& e) {
            std::string why = e.what();
            if (why.rfind(f + ": ", 0) == 0) why.erase(0, f.size() + 2);
            m.skipped.push_back({f, why});
            continue;
        }
        const std::string name = fs::path(f).filename().string();
        std::optional<size_t> best;
        size_t best_suffix = 0;
        bool named = false;
        for (size_t i = 0; i < objects_.size(); ++i) {
            if (fs::path(objects_[i].data_name).filename() != name) continue;
            named = true;
            if (objects_[i].stamp != h.stamp || objects_[i].version != h.version) continue;
            size_t suffix = common_suffix(objects_[i].data_name, f);
            if (!best || suffix > best_suffix) best = i, best_suffix = suffix;
        }
        if (!best) {
            m.skipped.push_back({f, named ? "written by another compile of the object (stamp " + hex(h.stamp) +
                                                ", the notes have another): rebuilt since?"
                                          : "no object of these notes writes a data file named " + name});
            continue;
        }
        if (h.functions != objects_[*best].functions) {
            m.skipped.push_back({f, "cut short: " + std::to_string(h.functions) + " of the object's " +
                                        std::to_string(objects_[*best].functions) +
                                        " functions (its process was killed while writing it)"});
            continue;
        }
        m.by_object[*best].push_back(f);
    }
    return m;
}

std::string GcovLayer::relative_data_path(size_t object) const {
    return fs::path(objects_.at(object).data_name).relative_path().string();
}

std::string GcovLayer::summed(size_t object, const std::vector<std::string>& files, const std::string& scratch,
                              std::vector<SkippedProfile>& skipped) const {
    if (files.size() == 1) return files.front();
    DataSum sum;
    for (const auto& f : files) {
        try {
            sum.add(f);
        } catch (const UserError& e) {
            std::string why = e.what();
            if (why.rfind(f + ": ", 0) == 0) why.erase(0, f.size() + 2);
            skipped.push_back({f, why});
        }
    }
    fs::path path = fs::path(scratch) / ("sum-" + std::to_string(object)) / fs::path(objects_[object].data_name).filename();
    fs::create_directories(path.parent_path());
    sum.write(path.string());
    return path.string();
}

CoverageCounts GcovLayer::counts_of(const std::map<size_t, std::string>& data_per_object, const std::string& scratch) const {
    CoverageCounts counts = CoverageCounts::zeros(layout_.layout);
    for (const auto& [object, data] : data_per_object) {
        const GcovObject& o = objects_[object];
        std::string text = scratch + "/counts-" + std::to_string(object) + ".txt";
        run_gcov(gcov_, o.notes, data, o.working_dir, scratch, text);
        add_gcov_counts(layout_, object, text, "gcov's output for " + data, counts);
        std::error_code ec;
        fs::remove(text, ec);
    }
    return counts;
}

LayerReading GcovLayer::read(const std::vector<std::string>& profiles) const {
    LayerReading out;
    Matched m = match(data_files_of(profiles));
    out.skipped = m.skipped;
    ScratchFolder scratch("gcov-read");
    std::map<size_t, std::string> data;
    for (const auto& [object, files] : m.by_object) data[object] = summed(object, files, scratch.path(), out.skipped);
    out.counts = counts_of(data, scratch.path());
    std::set<std::string> left_out;
    for (const auto& s : out.skipped) left_out.insert(s.path);
    for (const auto& [object, files] : m.by_object)
        for (const auto& f : files)
            if (!left_out.count(f)) out.read.push_back(f);
    std::sort(out.read.begin(), out.read.end());
    out.warnings = layout_warnings_;
    return out;
}

void GcovLayer::start_total(const std::string& total) const {
    std::error_code ec;
    if (!fs::exists(total, ec)) fs::create_directories(total);  // no data file: nothing ran
}

LayerFold GcovLayer::fold(const std::string& total, const std::vector<std::string>& profiles) const {
    LayerFold out;
    // A process's profile is its folder: folded whole, or skipped whole when a file of it is bad.
    std::map<std::string, std::vector<std::string>> units;
    for (const auto& f : data_files_of(profiles)) {
        std::string folder = process_folder_of(f);
        units[folder.empty() ? f : folder].push_back(f);
    }
    // The total's sums, per object; a process is added to copies, kept only when all of it adds up.
    std::map<size_t, DataSum> sums;
    Matched in_total = match(data_files_of({total}));
    if (!in_total.skipped.empty())
        throw UserError(in_total.skipped.front().path + ": " + in_total.skipped.front().reason +
                        " (in the gcov running total)");
    for (const auto& [object, files] : in_total.by_object)
        for (const auto& f : files) sums[object].add(f);
    for (const auto& [unit, files] : units) {
        Matched m = match(files);
        if (!m.skipped.empty()) {
            out.skipped.push_back({unit, (unit == m.skipped.front().path ? "" : m.skipped.front().path + ": ") +
                                             m.skipped.front().reason});
            continue;
        }
        std::map<size_t, DataSum> added;
        try {
            for (const auto& [object, object_files] : m.by_object) {
                auto it = sums.find(object);
                DataSum sum = it == sums.end() ? DataSum() : it->second;
                for (const auto& f : object_files) sum.add(f);
                added[object] = std::move(sum);
            }
        } catch (const UserError& e) {
            out.skipped.push_back({unit, e.what()});
            continue;
        }
        for (auto& [object, sum] : added) sums[object] = std::move(sum);
        out.folded.push_back(unit);
    }
    if (out.folded.empty()) return out;
    // The new total beside the old one, then the two swapped in one step.
    fs::path partial = total + ".partial";
    fs::remove_all(partial);
    for (const auto& [object, sum] : sums) {
        fs::path path = partial / relative_data_path(object);
        fs::create_directories(path.parent_path());
        sum.write(path.string());
    }
    fs::create_directories(partial);
    std::error_code ec;
    if (fs::exists(total, ec)) {
        exchange_folders(partial, total);
        fs::remove_all(partial);
    } else {
        fs::rename(partial, total);
    }
    return out;
}

LayerReading GcovLayer::read_total(const std::string& total) const {
    LayerReading out;
    std::error_code ec;
    if (!fs::exists(total, ec)) {
        out.counts = CoverageCounts::zeros(layout_.layout);
        return out;
    }
    out = read({total});
    if (!out.skipped.empty())
        throw UserError(out.skipped.front().path + ": " + out.skipped.front().reason + " (in the gcov running total)");
    return out;
}

}  // namespace dlcov::gcov
