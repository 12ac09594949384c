#include "indexed_profile_check.h"

#include <cstdint>
#include <cstring>
#include <fmt/format.h>
#include <fstream>

namespace dlcov {

namespace {

// llvm/ProfileData/InstrProf.h: IndexedInstrProf::Magic, "\xfflprofi\x81" read little-endian.
constexpr uint64_t kIndexedMagic = 0x8169666f72706cffULL;

bool read_u64(std::ifstream& in, uint64_t offset, uint64_t& value) {
    unsigned char bytes[8];
    in.seekg(std::streamoff(offset));
    if (!in.read(reinterpret_cast<char*>(bytes), 8)) return false;
    value = 0;
    for (int i = 7; i >= 0; --i) value = value << 8 | bytes[i];
    return true;
}

}  // namespace

std::string indexed_profile_damage(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return "";  // the reader says why it cannot open it
    const uint64_t size = uint64_t(in.tellg());
    uint64_t magic = 0;
    if (!read_u64(in, 0, magic) || magic != kIndexedMagic) return "";
    // Header (IndexedInstrProf::Header): Magic, Version, Unused, HashType, HashOffset, then from
    // version 8 MemProfOffset. The hash table (OnDiskChainedHashTableGenerator::Emit) at
    // HashOffset: NumBuckets, NumEntries, then one 8-byte offset per bucket.
    uint64_t version = 0, hash_offset = 0;
    if (!read_u64(in, 8, version) || !read_u64(in, 32, hash_offset))
        return fmt::format("cut short: {} bytes, less than an indexed profile's header", size);
    uint64_t buckets = 0;
    if (hash_offset > size || !read_u64(in, hash_offset, buckets))
        return fmt::format("cut short: its hash table starts at byte {} of {}", hash_offset, size);
    if (buckets > size / 8 || hash_offset + 16 + 8 * buckets > size)
        return fmt::format("cut short: its hash table ends at byte {} of {}", hash_offset + 16 + 8 * buckets, size);
    if ((version & 0xffffffffULL) >= 8) {
        uint64_t memprof_offset = 0;
        if (!read_u64(in, 40, memprof_offset) || memprof_offset > size)
            return fmt::format("cut short: its memory-profile section starts at byte {} of {}", memprof_offset, size);
    }
    return "";
}

}  // namespace dlcov
