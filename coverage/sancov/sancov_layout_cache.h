// What SancovLayer derives from a build's binaries (their records, the layout, the blocks of
// every line and function item), kept in a file so that only the first layer made for the same
// binaries reads their debug information (about 5 s on tiny-dnn; reading the cache: well under
// a second).
//
// The file names the binaries it was made from, in order: path, GNU build id, size, and for a
// binary without a build id its modification time. It serves a layer only when every binary on
// disk still has all of them. A file that is damaged (its checksum), cut short, of another format
// version, inconsistent (an index out of range) or for other binaries serves nothing: the layer
// derives the layout again and rewrites it. Written to a temporary file renamed over the old one,
// so a killed process leaves the old cache or the new one; a folder that cannot be written to
// (read-only) leaves no cache, and that is not an error.
//
// The format (little-endian as the machine writes it; the file is local to the build): the
// magic "DLCOVSCL", a uint32 format version, the payload, and the payload's FNV-1a 64 digest.
#pragma once
#include "coverage_model.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dlcov::sancov {

// A binary of the build as the layer knows it: its blocks are first_block .. first_block+blocks
// of the build's block counters.
struct SancovBinary {
    std::string path, build_id;  // build_id: hex, "" when it has none
    uint64_t file_size = 0;
    size_t blocks = 0, first_block = 0;
};

// A binary as it is on disk now: what the cache must match.
struct SancovBinaryKey {
    std::string path, build_id;
    uint64_t file_size = 0;
    int64_t modified = 0;  // nanoseconds since the epoch; compared only when build_id is ""
};

// Everything the layer derives from its binaries' debug information.
struct SancovLayoutData {
    std::vector<SancovBinary> binaries;
    size_t block_count = 0;
    CoverageLayout layout;
    // Line item i runs in blocks line_blocks[line_begin[i] .. line_begin[i+1]); function item i's
    // entry blocks and the blocks that run its code inlined elsewhere, likewise.
    std::vector<uint32_t> line_begin, line_blocks;
    std::vector<uint32_t> entry_begin, entry_blocks;
    std::vector<uint32_t> inlined_begin, inlined_blocks;
};

// The cache file of a build folder: <build_dir>/sancov-layout.cache.
std::string sancov_layout_cache_path(const std::string& build_dir);

// The key of a binary on disk; UserError naming it when it is missing or not a binary.
SancovBinaryKey sancov_binary_key(const std::string& path);

// The cached layout when `cache` holds one for exactly these binaries (in this order); nothing
// otherwise (no file, damaged, cut short, another version, other binaries).
std::optional<SancovLayoutData> read_sancov_layout_cache(const std::string& cache,
                                                         const std::vector<SancovBinaryKey>& binaries);

// Writes the layout of these binaries to `cache` (a temporary file renamed over it); false when
// it could not be written (nothing is left behind then).
bool write_sancov_layout_cache(const std::string& cache, const std::vector<SancovBinaryKey>& binaries,
                               const SancovLayoutData& data);

}  // namespace dlcov::sancov
