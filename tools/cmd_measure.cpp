// dlcov measure: coverage of any clang-instrumented program, any gcc --coverage program, any Python
// tree measured with coverage.py, or several of them, per file, per component, in total.
#include "build_manifest.h"
#include "commands.h"
#include "coverage_modes.h"
#include "error.h"
#include "measurement_pipeline.h"
#include "outside_text.h"
#include "text_table.h"
#include "whole_file.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

struct MeasureOptions {
    std::vector<std::string> objects, gcov_objects, profiles;
    std::string build, components, root, json_out, gcov;
    std::string python_source, python = "/usr/bin/python3", python_rcfile;
    bool strict = false, files = false;
};

void print_measurement(const Measurement& m, bool per_file) {
    TextTable table({per_file ? "File" : "Component", "Lines", "Branches", "Functions"});
    auto row = [&](const std::string& name, const CoverageTally& t) {
        table.add_row({name, format_tally(t.lines.covered, t.lines.total),
                       format_tally(t.branches.covered, t.branches.total),
                       format_tally(t.functions.covered, t.functions.total)});
    };
    if (per_file)
        for (const auto& f : m.files) row(f.path, f.tally);
    else
        for (const auto& [c, t] : m.components) row(component_title(c), t);
    if (per_file || !m.components.empty()) table.add_separator();
    row("TOTAL", m.total);
    std::cout << table.render();
}

// A root under which none of the objects' files lies measures nothing the user meant.
void warn_if_nothing_under_root(const MeasurementPipeline& pipeline, const std::string& root) {
    const auto& files = pipeline.layout().files;
    for (const auto& f : files) {
        fs::path rel = fs::path(f.path).lexically_normal().lexically_relative(root);
        if (!rel.empty() && *rel.begin() != "..") return;
    }
    std::cerr << "dlcov: warning: none of the objects' " << files.size() << " instrumented file(s) lies under --root "
              << root << (files.empty() ? "" : " (the first is " + files.front().path + ")") << "\n";
}

// The pipeline of an instrumented build (its manifest's layers and component map), or of the
// trees named on the command line.
MeasurementPipeline pipeline_of(const MeasureOptions& o) {
    if (!o.build.empty()) {
        BuildManifest build = load_manifest(o.build);
        return MeasurementPipeline(build_layers(build), o.components.empty() ? build.component_map : o.components);
    }
    // No build, so no layout profile: the objects are laid out by the profiles measured, which
    // makes the numbers llvm-cov report's; the Python tree by coverage.py's analysis of it, which
    // makes them `coverage json`'s (coverage_modes.h).
    UnbuiltTrees trees;
    trees.objects = o.objects;
    trees.gcov_notes = o.gcov_objects;
    trees.gcov = o.gcov;
    trees.objects_root = o.root;
    trees.python_source = o.python_source;
    trees.python_interpreter = o.python;
    trees.python_rcfile = o.python_rcfile;
    return MeasurementPipeline(unbuilt_layers(trees, o.profiles), o.components);
}

void run_measure(const MeasureOptions& o) {
    MeasurementPipeline pipeline = pipeline_of(o);
    if (!o.root.empty() && (!o.objects.empty() || !o.gcov_objects.empty())) warn_if_nothing_under_root(pipeline, o.root);
    ProfileMeasurement pm = pipeline.measure(o.profiles);
    for (const auto& s : pm.skipped)
        std::cerr << "dlcov: warning: skipped profile " << s.path << ": " << s.reason << "\n";
    if (o.strict && !pm.skipped.empty())
        throw UserError(std::to_string(pm.skipped.size()) + " profile(s) could not be read (--strict)");
    if (pm.read.empty())
        std::cerr << "dlcov: warning: no readable profile; every count is zero\n";
    for (const auto& w : pm.warnings) std::cerr << "dlcov: warning: " << w << "\n";

    const Measurement& m = pm.measurement;
    print_measurement(m, o.files);
    std::cerr << "measured " << pm.read.size() << " profile(s), " << m.files.size() << " file(s)";
    if (!m.excluded.empty()) std::cerr << ", " << m.excluded.size() << " excluded";
    std::cerr << "\n";
    if (!o.json_out.empty()) {
        nlohmann::json j = to_json(m);
        j["profiles"] = {{"merged", pm.read.size()}, {"skipped", nlohmann::json::array()}};
        for (const auto& s : pm.skipped) j["profiles"]["skipped"].push_back({{"path", s.path}, {"reason", s.reason}});
        escape_json_text(j);  // file names are bytes from outside
        write_whole_file(o.json_out, j.dump(2) + "\n");
    }
}

}  // namespace

void add_measure_command(CLI::App& app) {
    auto o = std::make_shared<MeasureOptions>();
    CLI::App* cmd = app.add_subcommand(
        "measure",
        "Measure line, branch and function coverage of clang-instrumented objects\n"
        "(-fprofile-instr-generate -fcoverage-mapping) from raw or indexed profiles, of gcc --coverage\n"
        "objects from their .gcda data files, of a Python source tree from coverage.py data files, or of\n"
        "several at once.\n"
        "Numbers equal `llvm-cov report` (objects), `gcovr --json-summary` of gcovr 5.2 (gcc objects) and\n"
        "`coverage json` (Python statements and branches).\n"
        "Example: dlcov measure --objects build/app --profiles prof/ --components map.yaml --root src/\n"
        "         dlcov measure --gcov-objects obj/ --profiles obj/ runs/   (.gcno next to .gcda, or GCOV_PREFIX folders)\n"
        "         dlcov measure --python-source venv/lib/python3.11/site-packages/pkg --profiles covdata/\n"
        "         dlcov measure --build builds/tinydnn-sancov --profiles runs/   (a build of any mode, e.g. sancov)");
    cmd->add_option("--build", o->build,
                    "a build folder (holding build.json) written by `dlcov instrument`, in any of its modes: its "
                    "binaries, layout and component map (--components overrides the map)");
    cmd->add_option("--objects", o->objects, "clang-instrumented executables or shared libraries")->expected(1, -1);
    cmd->add_option("--gcov-objects", o->gcov_objects,
                    "gcc --coverage objects: their notes files (.gcno, one per translation unit) or folders "
                    "searched for them")
        ->expected(1, -1);
    cmd->add_option("--gcov", o->gcov,
                    "the gcov that reads the notes files (default gcov-N of the gcc N that wrote them)");
    cmd->add_option("--profiles", o->profiles,
                    "profile files (.profraw/.profdata, .gcda, coverage.py data files) or directories searched "
                    "recursively (coverage.py data files are recognised by their content; a .gcda belongs to "
                    "the object whose notes have its name and stamp, wherever it lies)")
        ->required()->expected(1, -1);
    cmd->add_option("--python-source", o->python_source,
                    "the Python package folder coverage.py measured (its --source); its files' paths, "
                    "for a component map, start at the folder's parent");
    cmd->add_option("--python", o->python, "the interpreter that computes the Python layout with its coverage.py "
                                           "(the one the data was collected with; default /usr/bin/python3)");
    cmd->add_option("--python-rcfile", o->python_rcfile,
                    "the coverage.py configuration the data was collected with (exclusion patterns)");
    cmd->add_option("--components", o->components, "component map (YAML) to sum files per component");
    cmd->add_option("--root", o->root, "framework source root the map's paths are relative to");
    cmd->add_option("--json", o->json_out, "write the measurement as JSON to this file");
    cmd->add_flag("--strict", o->strict, "fail when any profile cannot be read (default: warn and skip it)");
    cmd->add_flag("--files", o->files, "print one row per file instead of per component");
    cmd->callback([o] {
        bool trees = !o->objects.empty() || !o->gcov_objects.empty() || !o->python_source.empty();
        if (!o->build.empty() && (trees || !o->root.empty()))
            throw UserError("--build measures a build's own binaries and source root: give it without --objects, "
                            "--gcov-objects, --python-source and --root");
        if (o->build.empty() && !trees)
            throw UserError("give --build (a build of `dlcov instrument`), --objects (clang-instrumented programs), "
                            "--gcov-objects (gcc notes files), --python-source (a Python tree), or several of the last three");
        if (!o->components.empty() && (!o->objects.empty() || !o->gcov_objects.empty()) && o->root.empty())
            throw UserError("--components with --objects or --gcov-objects needs --root: the map's paths are relative "
                            "to the framework's source root");
        if (!o->root.empty()) {
            std::error_code ec;
            if (!fs::is_directory(o->root, ec)) throw UserError("--root " + o->root + ": no such folder");
            fs::path root = fs::absolute(o->root).lexically_normal();  // the objects' file names are absolute
            o->root = (root.filename().empty() ? root.parent_path() : root).string();
        }
        run_measure(*o);
    });
}

}  // namespace dlcov
