// build.json: what `dlcov instrument` built, read by every later command.
//
// {
//   "name": "tinydnn", "framework": "tiny-dnn", "version": "1.0.0a3", "mode": "llvm",
//   "compiler": {"path": "/usr/bin/clang++-14", "version": "Debian clang version 14.0.6 ..."},
//   "llvm_major": 14,                 // raw profiles are readable only by this LLVM major
//   "flags": [...],                   // every flag passed to the compiler, in order
//   "source_root": "/abs/builds/tinydnn/src",   // profiles' file names start here
//   "objects": ["/abs/builds/tinydnn/bin/dlcov-tinydnn-exec"],
//   "targets": {"dlcov-tinydnn-exec": "/abs/builds/tinydnn/bin/dlcov-tinydnn-exec"},
//   "layout_profile": "/abs/builds/tinydnn/layout.profdata",  // see layout_profile.h
//   "component_map": "/abs/configs/components/tinydnn.yaml",
//   "config": "/abs/configs/frameworks/tinydnn.yaml",
//   "input_hash": "fnv1a64:0123456789abcdef",   // unchanged inputs -> no rebuild
//   "built_at": "2024-01-31T12:00:00Z",
//   "layers": [                       // further coverage layers; absent in older manifests
//     {"mode": "python",
//      "interpreter": "/abs/builds/pytorch/venv/bin/python",  // the framework's environment
//      "package_root": "/abs/.../site-packages/torch",        // the package coverage.py measures
//      "layout": "/abs/builds/pytorch/python-layout.json",     // python_layout.py's, computed once
//      "coverage_version": "6.5.0",                           // coverage.py in that environment
//      "package": "torch", "package_version": "1.13.0a0+gitunknown",  // optional: as installed
//      "package_roots": [".../torch", ".../functorch"],       // optional: every package measured
//      "environment": "/abs/builds/pytorch/environment.txt"}  // optional: every distribution==version
//   ],
//   "build_dir": "/abs/builds/pytorch", // optional; default: the folder holding source_root
//   "gcov": {"notes": ["/abs/builds/tinydnn-gcov/bin/dlcov-tinydnn-exec-executor.gcno"],  // mode gcov
//            "gcov": "/usr/bin/gcov-12"}  // the gcov of the gcc that compiled them
//   "path_remap": [{"from": "/abs/builds/tf/bazel-base/execroot/org_tensorflow",  // optional
//                   "to": "/abs/checkout"}]   // folders in the coverage data -> the checkout's (path_remap.h)
// }
// All paths are absolute. "mode" is the build's first layer: "llvm" (the objects above), "gcov"
// (the objects compiled by gcc --coverage: their notes files are in "gcov"; llvm_major is 0 and no
// layout profile), or
// "python" (a Python-only build: no objects; compiler, llvm_major, flags, objects and targets may
// be absent or empty). The "layers" follow it, so a C++ build with Python bindings is "llvm" with a
// python layer.
#pragma once
#include "path_remap.h"

#include <map>
#include <string>
#include <vector>

namespace dlcov {

// A python layer (coverage/python/): a package measured with coverage.py.
struct PythonLayerManifest {
    std::string interpreter;
    std::string package_root;
    std::string layout;  // the layout JSON python_layout.py wrote
    std::string coverage_version;
    std::vector<std::string> package_roots;  // all measured package folders (package_root first); may be empty
    std::string package;          // the first measured package; "" in manifests not written by `dlcov instrument`
    std::string package_version;  // the installed distribution's version
    std::string environment;      // file listing every installed distribution==version
};

struct BuildManifest {
    std::string name;
    std::string framework;
    std::string version;
    std::string mode;
    std::string compiler_path;
    std::string compiler_version;
    int llvm_major = 0;
    std::vector<std::string> flags;
    std::string source_root;
    std::vector<std::string> objects;
    std::map<std::string, std::string> targets;  // target name -> executable
    std::string layout_profile;  // "" in manifests older than the layout profile
    std::string component_map;
    std::string config;
    std::string input_hash;
    std::string built_at;
    std::vector<PythonLayerManifest> python_layers;  // "layers" of mode python, in order
    std::string dir;  // "build_dir"; "" = the folder holding source_root
    // Mode gcov: the objects' notes files (one .gcno per translation unit) and the gcov of the gcc
    // that compiled them (coverage/gcov/).
    std::vector<std::string> gcov_notes;
    std::string gcov;
    // Source builds: folders the build system compiled in, and the checkout's folder for each.
    PathRemap path_remap;

    std::string build_dir() const;  // `dir`, else the folder holding source_root
};

// Reads <dir>/build.json, or the given .json file. Throws UserError naming the file when it
// is missing ("run `dlcov instrument` first"), not JSON, or lacks a field.
BuildManifest load_manifest(const std::string& build_dir_or_json);

// Writes the manifest atomically (a temporary file renamed over `json_path`), so readers
// never see half a file and a failed build never leaves one behind.
void write_manifest(const BuildManifest& manifest, const std::string& json_path);

// The manifest's path inside a build folder.
std::string manifest_path(const std::string& build_dir);

}  // namespace dlcov
