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
//   "built_at": "2024-01-31T12:00:00Z"
// }
// All paths are absolute.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace dlcov {

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

    std::string build_dir() const;  // the folder holding source_root
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
