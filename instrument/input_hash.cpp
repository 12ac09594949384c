#include "input_hash.h"

#include "error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace dlcov {

void Fnv1a64::add(std::string_view bytes) {
    for (unsigned char byte : bytes) {
        state_ ^= byte;
        state_ *= 1099511628211ull;
    }
}

void Fnv1a64::add_field(std::string_view bytes) {
    add(std::to_string(bytes.size()) + ":");
    add(bytes);
}

std::string Fnv1a64::hex() const {
    static const char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 0; i < 16; ++i) out[15 - i] = digits[(state_ >> (4 * i)) & 0xf];
    return out;
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(path + ": cannot read");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

namespace {

bool is_header(const fs::path& path) {
    static const std::set<std::string> extensions{".h", ".hh", ".hpp", ".hxx", ".inc", ".ipp", ".tcc"};
    return extensions.count(path.extension().string()) > 0;
}

void add_files(Fnv1a64& hash, const fs::path& root, std::vector<fs::path> files) {
    std::sort(files.begin(), files.end());  // independent of the file system's listing order
    for (const auto& file : files) {
        hash.add_field(file.lexically_relative(root).string());
        hash.add_field(file_bytes(file));
    }
}

void add_framework_sources(Fnv1a64& hash, const fs::path& root) {
    std::vector<fs::path> files;
    for (const auto& entry :
         fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink))
        if (entry.is_regular_file()) files.push_back(entry.path());
    add_files(hash, root, files);
}

// A target's sources and the headers beside them (what its quoted includes can reach), but not
// the folder's other .cpp files: other tools' sources may share it.
void add_target_folder(Fnv1a64& hash, const fs::path& dir, const std::set<fs::path>& sources) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() && (is_header(entry.path()) || sources.count(entry.path())))
            files.push_back(entry.path());
    add_files(hash, dir, files);
}

}  // namespace

std::string input_hash(const FrameworkConfig& config, const std::string& compiler_path,
                       const std::string& compiler_version, const std::vector<std::string>& flags) {
    Fnv1a64 hash;
    hash.add_field("dlcov-instrument-1");  // bump when the build recipe itself changes
    hash.add_field(file_bytes(config.path));
    hash.add_field(compiler_path);
    hash.add_field(compiler_version);
    for (const auto& flag : flags) hash.add_field(flag);

    hash.add_field("source");
    add_framework_sources(hash, config.source_copy);

    // Only the target's own folder, not below it: a builds folder may live underneath.
    std::map<fs::path, std::set<fs::path>> sources_by_dir;
    for (const auto& target : config.targets)
        for (const auto& source : target.sources)
            sources_by_dir[fs::path(source).parent_path()].insert(source);
    for (const auto& [dir, sources] : sources_by_dir) {
        hash.add_field(dir.string());
        add_target_folder(hash, dir, sources);
    }
    return "fnv1a64:" + hash.hex();
}

}  // namespace dlcov
