#include "coverage_modes.h"

#include "error.h"
#include "gcov_layer.h"
#include "llvm_layer.h"
#include "python_layer.h"
#include "sancov_layer.h"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// A folder of its own under the system's temporary folder, removed when the object goes.
struct TemporaryFolder {
    std::string path;
    TemporaryFolder() {
        std::string pattern = (fs::temp_directory_path() / "dlcov-layout-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw UserError("cannot create a temporary folder in " + fs::temp_directory_path().string());
        path = pattern;
    }
    ~TemporaryFolder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;
};

}  // namespace

std::vector<std::unique_ptr<CoverageLayer>> build_layers(const BuildManifest& build) {
    std::vector<std::unique_ptr<CoverageLayer>> layers;
    if (build.mode == "llvm") {
        if (build.layout_profile.empty())
            throw UserError(build.build_dir() + " has no layout profile; run `dlcov instrument` again");
        layers.push_back(std::make_unique<LlvmLayer>(build.objects, build.layout_profile, build.source_root));
    } else if (build.mode == "gcov") {
        if (build.gcov_notes.empty())
            throw UserError(manifest_path(build.build_dir()) + ": a gcov build without notes files; run `dlcov instrument` again");
        for (const auto& n : build.gcov_notes)
            if (!fs::is_regular_file(n)) throw UserError(n + ": the build's notes file is missing; run `dlcov instrument` again");
        layers.push_back(std::make_unique<gcov::GcovLayer>(build.gcov_notes, build.source_root, build.gcov));
    } else if (build.mode == "sancov") {
        // The layout is derived once per set of binaries and kept in the build folder.
        layers.push_back(std::make_unique<sancov::SancovLayer>(build.objects, build.source_root,
                                                               sancov::sancov_layout_cache_path(build.build_dir())));
    } else if (build.mode != "python") {
        throw UserError(manifest_path(build.build_dir()) + ": coverage mode '" + build.mode +
                        "' is not one this dlcov reads (llvm, gcov, sancov, python)");
    }
    if (build.mode == "python" && build.python_layers.empty())
        throw UserError(manifest_path(build.build_dir()) + ": a python build without a python layer");
    // Every coverage.py data file holds whatever its process ran; two python layers would each
    // recognise all of them, so a build measures its Python code as one tree.
    if (build.python_layers.size() > 1)
        throw UserError(manifest_path(build.build_dir()) + ": more than one python layer (one layout covers the "
                        "build's Python code)");
    for (const PythonLayerManifest& p : build.python_layers) {
        if (!fs::is_regular_file(p.layout))
            throw UserError(p.layout + ": the build's Python layout is missing; run `dlcov instrument` again");
        layers.push_back(std::make_unique<python::PythonLayer>(p.layout));
    }
    return layers;
}

std::vector<std::unique_ptr<CoverageLayer>> object_layers(const std::vector<std::string>& objects,
                                                          const std::vector<std::string>& profiles,
                                                          const std::string& source_root) {
    std::vector<std::unique_ptr<CoverageLayer>> layers;
    layers.push_back(std::make_unique<LlvmLayer>(LlvmLayer::laid_out_by(objects, profiles, source_root)));
    return layers;
}

std::vector<std::unique_ptr<CoverageLayer>> unbuilt_layers(const UnbuiltTrees& trees,
                                                           const std::vector<std::string>& profiles) {
    if (trees.objects.empty() && trees.gcov_notes.empty() && trees.python_source.empty())
        throw UserError("nothing to measure: give instrumented objects, gcc notes files, a Python source folder, or some of them");
    std::unique_ptr<python::PythonLayer> python;
    if (!trees.python_source.empty()) {
        TemporaryFolder tmp;
        std::string layout = tmp.path + "/python-layout.json";
        python::compute_python_layout(trees.python_interpreter, trees.python_source, layout, trees.python_rcfile);
        python = std::make_unique<python::PythonLayer>(layout);
    }
    std::vector<std::unique_ptr<CoverageLayer>> layers;
    if (!trees.gcov_notes.empty())
        layers.push_back(std::make_unique<gcov::GcovLayer>(trees.gcov_notes, trees.objects_root, trees.gcov));
    if (!trees.objects.empty()) {
        std::vector<std::string> llvm_profiles;
        for (const auto& p : profiles) {
            std::error_code ec;
            if (python && !fs::is_directory(p, ec) && python->recognises(p)) continue;  // the Python layer's
            if (!layers.empty() && !fs::is_directory(p, ec) && layers.front()->recognises(p)) continue;  // gcov's
            llvm_profiles.push_back(p);
        }
        for (auto& l : object_layers(trees.objects, llvm_profiles, trees.objects_root)) layers.push_back(std::move(l));
    }
    if (python) layers.push_back(std::move(python));
    return layers;
}

}  // namespace dlcov
