// The fingerprint of everything a build depends on: unchanged inputs mean no rebuild.
#pragma once
#include "framework_config.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dlcov {

// FNV-1a, 64 bit: stable across runs and machines (std::hash is not).
class Fnv1a64 {
public:
    void add(std::string_view bytes);
    // Adds the length first, so ("ab", "c") and ("a", "bc") differ.
    void add_field(std::string_view bytes);
    std::uint64_t value() const { return state_; }
    std::string hex() const;  // 16 lowercase hex digits

private:
    std::uint64_t state_ = 14695981039346656037ull;
};

// A file's bytes; UserError naming the file when it cannot be read.
std::string file_bytes(const std::string& path);

// Hashes the config file's bytes, every framework source file (relative path and bytes), each
// target source with the headers in its folder (a target's local headers live beside it), the
// compiler's path and version and the full flag list. Returns "fnv1a64:<hex>".
std::string input_hash(const FrameworkConfig& config, const std::string& compiler_path,
                       const std::string& compiler_version, const std::vector<std::string>& flags);

}  // namespace dlcov
