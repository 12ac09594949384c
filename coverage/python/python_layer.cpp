#include "python_layer.h"

#include "error.h"
#include "process.h"
#include "program_on_path.h"
#include "whole_file.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace fs = std::filesystem;
using nlohmann::json;

namespace dlcov::python {

namespace {

constexpr const char* kTotalFormat = "dlcov-python-total";
constexpr int kTotalFormatVersion = 1;

std::string hex(uint64_t v) {
    char buffer[17];
    snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(v));
    return buffer;
}

// Non-zero counts as [index, count, index, count, ...]: a total is mostly zeros.
json sparse(const std::vector<uint64_t>& counts) {
    json out = json::array();
    for (size_t i = 0; i < counts.size(); ++i)
        if (counts[i]) {
            out.push_back(i);
            out.push_back(counts[i]);
        }
    return out;
}

void unsparse(const json& j, std::vector<uint64_t>& counts, const std::string& total, const char* key) {
    if (!j.is_array() || j.size() % 2) throw UserError(total + ": '" + key + "' is not a list of index, count pairs");
    for (size_t k = 0; k < j.size(); k += 2) {
        uint64_t index = j[k].get<uint64_t>();
        if (index >= counts.size()) throw UserError(total + ": '" + key + "' has an index past the layout's items");
        counts[index] = j[k + 1].get<uint64_t>();
    }
}

// A skipped data file as the pipeline names it: the reader's message starts with the path too.
SkippedProfile skipped_profile(NamedProblem problem) {
    std::string prefix = problem.path + ": ";
    if (problem.reason.compare(0, prefix.size(), prefix) == 0) problem.reason.erase(0, prefix.size());
    return {std::move(problem.path), std::move(problem.reason)};
}

}  // namespace

std::string program_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return fs::absolute(name).string();
    if (std::optional<std::string> found = program_on_path(name)) return *found;
    throw UserError(name + ": no such Python interpreter on PATH");
}


PythonLayer::PythonLayer(const std::string& layout_json, std::vector<PathPrefix> prefixes)
    : PythonLayer(load_python_layout(layout_json), std::move(prefixes)) {}

PythonLayer::PythonLayer(PythonLayout layout, std::vector<PathPrefix> prefixes)
    : layout_(std::move(layout)), prefixes_(std::move(prefixes)) {}

bool PythonLayer::recognises(const std::string& path) const {
    return fs::path(path).filename() == total_name() || looks_like_coverage_py_data(path);
}

std::vector<std::string> PythonLayer::warnings_of(const PythonDataFiles& files, const PythonReading& reading) const {
    std::vector<std::string> out;
    // The contract holds for data and layout of the same coverage.py version.
    std::map<std::string, size_t> other_versions;
    for (const auto& d : files.data)
        if (!d.coverage_version.empty() && !layout_.coverage_version.empty() &&
            d.coverage_version != layout_.coverage_version)
            ++other_versions[d.coverage_version];
    for (const auto& [version, n] : other_versions)
        out.push_back(std::to_string(n) + " coverage.py data file(s) written by coverage.py " + version +
                      ", the layout was computed with " + layout_.coverage_version +
                      ": statements and branches may differ from that version's `coverage json`");
    if (!reading.unlisted.empty())
        out.push_back(std::to_string(reading.unlisted.size()) +
                      " executed Python file(s) are not in the layout and are not counted (first: " +
                      reading.unlisted.begin()->first + ")");
    return out;
}

LayerReading PythonLayer::read(const std::vector<std::string>& profiles) const {
    std::vector<std::string> data_files, totals;
    for (const auto& p : profiles) (fs::path(p).filename() == total_name() ? totals : data_files).push_back(p);
    PythonDataFiles files = read_python_data_files(data_files);
    PythonReading reading = read_python_counts(layout_, files.data, prefixes_);
    LayerReading out;
    out.counts = std::move(reading.counts);
    for (const auto& total : totals) {
        try {
            out.counts = add(out.counts, load_total(total));
            out.read.push_back(total);
        } catch (const UserError& e) {
            out.skipped.push_back(skipped_profile({total, e.what()}));
        }
    }
    for (const auto& d : files.data) out.read.push_back(d.data_file);
    std::sort(out.read.begin(), out.read.end());
    for (auto& s : files.skipped) out.skipped.push_back(skipped_profile(std::move(s)));
    out.warnings = warnings_of(files, reading);
    if (!layout_.failed.empty())
        out.warnings.push_back(std::to_string(layout_.failed.size()) +
                               " Python file(s) of the layout could not be analysed and are not counted (first: " +
                               layout_.failed.front().path + ": " + layout_.failed.front().reason + ")");
    return out;
}

CoverageCounts PythonLayer::add(const CoverageCounts& a, const CoverageCounts& b) const {
    CoverageCounts sum = unite(a, b);
    for (const PythonFileMap& map : layout_.maps)
        for (size_t side : map.always_sides) sum.branches[side] = 1;
    return sum;
}

void PythonLayer::write_total(const std::string& total, const CoverageCounts& counts) const {
    json j{{"format", kTotalFormat},
           {"format_version", kTotalFormatVersion},
           {"layout_fingerprint", hex(layout_.layout.fingerprint())},
           {"lines", sparse(counts.lines)},
           {"branches", sparse(counts.branches)},
           {"functions", sparse(counts.functions)}};
    // <total>.partial first (never a data file a layer recognises): a killed harness or a full
    // disk leaves the old total or the new one.
    write_whole_file(total, j.dump() + "\n");
}

CoverageCounts PythonLayer::load_total(const std::string& total) const {
    std::ifstream in(total);
    if (!in) throw UserError(total + ": cannot read the Python running total");
    CoverageCounts counts = CoverageCounts::zeros(layout_.layout);
    try {
        json j = json::parse(in);
        if (!j.is_object() || j.value("format", "") != kTotalFormat || j.value("format_version", 0) != kTotalFormatVersion)
            throw UserError(total + ": not a Python running total of this dlcov");
        if (j.value("layout_fingerprint", "") != hex(layout_.layout.fingerprint()))
            throw UserError(total + ": the Python running total was counted on another layout (the build's "
                                    "Python layout changed since the trial started)");
        unsparse(j.at("lines"), counts.lines, total, "lines");
        unsparse(j.at("branches"), counts.branches, total, "branches");
        unsparse(j.at("functions"), counts.functions, total, "functions");
    } catch (const json::exception& e) {
        throw UserError(total + ": not a valid Python running total: " + e.what());
    }
    return counts;
}

void PythonLayer::start_total(const std::string& total) const {
    // Nothing run is what reading no data file gives (sides that cannot be missed count 1).
    if (!fs::exists(total)) write_total(total, read_python_counts(layout_, {}).counts);
}

LayerFold PythonLayer::fold(const std::string& total, const std::vector<std::string>& profiles) const {
    PythonDataFiles files = read_python_data_files(profiles);
    LayerFold out;
    for (auto& s : files.skipped) out.skipped.push_back(skipped_profile(std::move(s)));
    if (files.data.empty()) return out;
    CoverageCounts sum = read_python_counts(layout_, files.data, prefixes_).counts;
    if (fs::exists(total)) sum = add(load_total(total), sum);
    write_total(total, sum);
    for (const auto& d : files.data) out.folded.push_back(d.data_file);
    return out;
}

LayerReading PythonLayer::read_total(const std::string& total) const {
    LayerReading out;
    if (!fs::exists(total)) {
        out.counts = read_python_counts(layout_, {}).counts;
        return out;
    }
    out.counts = load_total(total);
    out.read = {total};
    return out;
}

std::string python_helper(const std::string& name) {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    std::vector<fs::path> candidates;
    if (!ec) candidates.push_back(exe.parent_path() / name);
#ifdef DLCOV_PYTHON_HELPER_DIR
    candidates.push_back(fs::path(DLCOV_PYTHON_HELPER_DIR) / name);
#endif
    for (const auto& c : candidates)
        if (fs::is_regular_file(c, ec)) return c.string();
    std::string looked;
    for (const auto& c : candidates) looked += " " + c.string();
    throw UserError("cannot find dlcov's Python helper " + name + " (looked at" + looked + ")");
}

void compute_python_layout(const std::string& interpreter, const std::string& source_dir,
                           const std::string& layout_json, const std::string& rcfile) {
    compute_python_layout(interpreter, std::vector<std::string>{source_dir}, layout_json, rcfile);
}

void compute_python_layout(const std::string& interpreter, const std::vector<std::string>& source_dirs,
                           const std::string& layout_json, const std::string& rcfile) {
    std::error_code ec;
    ProcessSpec spec;
    spec.argv = {program_path(interpreter), python_helper("python_layout.py")};
    for (const auto& dir : source_dirs) {
        if (!fs::is_directory(dir, ec)) throw UserError(dir + ": not a folder of Python sources");
        spec.argv.push_back(fs::absolute(dir).string());
    }
    spec.argv.insert(spec.argv.end(), {"-o", fs::absolute(layout_json).string()});
    if (!rcfile.empty()) {
        spec.argv.push_back("--rcfile");
        spec.argv.push_back(fs::absolute(rcfile).string());
    }
    spec.timeout = std::chrono::hours(1);
    // The layout's own interpreter run must not be measured by a hook in its environment.
    spec.env["DLCOV_PYTHON_COVERAGE_DIR"] = "";
    spec.env["COVERAGE_PROCESS_START"] = "";
    ProcessResult r = run_process(spec);
    if (r.outcome != ProcessResult::Exited || r.exit_code != 0 || !fs::is_regular_file(layout_json, ec))
        throw UserError("computing the Python layout failed (" + r.describe() + "): " +
                        command_line(spec.argv) + "\n" + r.output +
                        (r.output.find("No module named 'coverage'") != std::string::npos
                             ? "install coverage.py for " + interpreter +
                                   " (Debian: python3-coverage; in a virtual environment: pip install coverage)\n"
                             : ""));
}

std::string coverage_py_version(const std::string& interpreter) {
    ProcessSpec spec;
    spec.argv = {program_path(interpreter), "-c", "import coverage; print(coverage.__version__)"};
    ProcessResult r = run_process(spec);
    if (r.outcome != ProcessResult::Exited || r.exit_code != 0)
        throw UserError(interpreter + " cannot import coverage.py (" + r.describe() + "): " + r.output);
    std::string v = r.output;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    return v;
}

}  // namespace dlcov::python
