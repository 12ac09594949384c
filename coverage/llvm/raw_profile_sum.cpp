#include "raw_profile_sum.h"

#include "error.h"
#include "whole_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <type_traits>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm/ProfileData/InstrProf.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

// llvm::RawInstrProf::Header with mutable members, so it can be filled from bytes.
struct RawHeader {
#define INSTR_PROF_RAW_HEADER(Type, Name, Init) Type Name;
#include <llvm/ProfileData/InstrProfData.inc>
};
static_assert(sizeof(RawHeader) == sizeof(llvm::RawInstrProf::Header));
// llvm::RawInstrProf::ProfileData<uint64_t> (one function's record), likewise.
struct alignas(8) RawData {
    using IntPtrT = uint64_t;
    static constexpr auto IPVK_Last = llvm::IPVK_Last;
#define INSTR_PROF_DATA(Type, LLVMType, Name, Init) std::remove_const_t<Type> Name;
#include <llvm/ProfileData/InstrProfData.inc>
};
static_assert(sizeof(RawData) == sizeof(llvm::RawInstrProf::ProfileData<uint64_t>));

// Where a raw profile's counters are, from its header; nullopt for anything this file does not sum.
struct RawShape {
    RawHeader header;
    size_t counters_offset = 0, counter_count = 0, size = 0;
};

std::optional<RawShape> shape_of(const char* bytes, size_t size) {
    if (size < sizeof(RawHeader)) return std::nullopt;
    RawShape s;
    RawHeader& h = s.header;
    std::memcpy(&h, bytes, sizeof h);
    // Only the plain 64-bit format with 8-byte counters, as this LLVM writes it.
    const uint64_t unsupported = VARIANT_MASK_BYTE_COVERAGE | VARIANT_MASK_DBG_CORRELATE | VARIANT_MASK_FUNCTION_ENTRY_ONLY;
    if (h.Magic != llvm::RawInstrProf::getMagic<uint64_t>() || GET_VERSION(h.Version) != INSTR_PROF_RAW_VERSION ||
        (h.Version & unsupported))
        return std::nullopt;
    // The layout lib/ProfileData/InstrProfReader.cpp reads: header, binary ids, data, padding,
    // counters, padding, names (padded to 8), value profile data. Sizes from a damaged header can
    // be anything: each step is checked against the file's size, so nothing overflows.
    const uint64_t limit = size;
    if (h.BinaryIdsSize > limit || h.DataSize > limit / sizeof(RawData) || h.CountersSize > limit / sizeof(uint64_t) ||
        h.PaddingBytesBeforeCounters > limit || h.PaddingBytesAfterCounters > limit || h.NamesSize > limit)
        return std::nullopt;
    uint64_t data_bytes = h.DataSize * sizeof(RawData);
    uint64_t counters_offset = sizeof(RawHeader) + h.BinaryIdsSize + data_bytes + h.PaddingBytesBeforeCounters;
    uint64_t names_end = counters_offset + h.CountersSize * sizeof(uint64_t) + h.PaddingBytesAfterCounters + h.NamesSize;
    uint64_t expected = (names_end + 7) / 8 * 8;
    // Value profile data would follow; coverage builds write none, so anything else is not ours to sum.
    if (h.CountersSize == 0 || h.DataSize == 0 || size != expected) return std::nullopt;
    s.counters_offset = counters_offset;
    s.counter_count = h.CountersSize;
    s.size = size;
    return s;
}

// Reads a whole file into `buffer`, reusing its memory: a campaign's fold reads thousands of
// profiles of the same few sizes, and a fresh buffer for each cost more than reading them
// (page faults on every new allocation). Returns the file's size, or nullopt.
std::optional<size_t> read_into(const std::string& path, std::vector<char>& buffer) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct stat st;
    std::optional<size_t> out;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        size_t size = size_t(st.st_size);
        if (buffer.size() < size) buffer.resize(size);
        size_t done = 0;
        while (done < size) {
            ssize_t n = read(fd, buffer.data() + done, size - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += size_t(n);
        }
        if (done == size) out = size;
    }
    close(fd);
    return out;
}

// Whether two raw profiles come from the same binary: equal except for the counters and for the
// run-time addresses ASLR moves (CountersDelta and NamesDelta in the header, each function's
// FunctionPointer and Values), which LLVM uses for value profiling only, and coverage has none.
bool same_binary(const RawShape& sa, const char* a, const RawShape& sb, const char* b) {
    if (sa.size != sb.size || sa.counters_offset != sb.counters_offset || sa.counter_count != sb.counter_count)
        return false;
    const RawHeader &ha = sa.header, &hb = sb.header;
    if (ha.Version != hb.Version || ha.BinaryIdsSize != hb.BinaryIdsSize || ha.DataSize != hb.DataSize ||
        ha.PaddingBytesBeforeCounters != hb.PaddingBytesBeforeCounters || ha.NamesSize != hb.NamesSize ||
        ha.PaddingBytesAfterCounters != hb.PaddingBytesAfterCounters || ha.ValueKindLast != hb.ValueKindLast)
        return false;
    size_t at = sizeof(RawHeader);
    if (std::memcmp(a + at, b + at, ha.BinaryIdsSize) != 0) return false;
    at += ha.BinaryIdsSize;
    for (uint64_t i = 0; i < ha.DataSize; ++i, at += sizeof(RawData)) {
        RawData da, db;
        std::memcpy(&da, a + at, sizeof da);
        std::memcpy(&db, b + at, sizeof db);
        if (da.NameRef != db.NameRef || da.FuncHash != db.FuncHash || da.CounterPtr != db.CounterPtr ||
            da.NumCounters != db.NumCounters ||
            std::memcmp(da.NumValueSites, db.NumValueSites, sizeof da.NumValueSites) != 0)
            return false;
    }
    size_t counters_end = sa.counters_offset + sa.counter_count * sizeof(uint64_t);
    return std::memcmp(a + counters_end, b + counters_end, sa.size - counters_end) == 0;
}

void add_counters(char* total, const char* more, const RawShape& s) {
    for (size_t i = 0, at = s.counters_offset; i < s.counter_count; ++i, at += sizeof(uint64_t)) {
        uint64_t a, b, sum;
        std::memcpy(&a, total + at, sizeof a);
        std::memcpy(&b, more + at, sizeof b);
        if (__builtin_add_overflow(a, b, &sum)) sum = UINT64_MAX;  // saturate, as llvm-profdata does
        std::memcpy(total + at, &sum, sizeof sum);
    }
}

}  // namespace

RawProfileSums sum_raw_profiles(const std::vector<std::string>& profiles, const std::string& scratch_dir) {
    struct Group {
        RawShape shape;
        std::vector<char> total;
        std::vector<std::string> members;
    };
    std::vector<Group> groups;  // few: one per instrumented binary
    std::vector<char> buffer;   // each profile in turn
    RawProfileSums out;
    for (const auto& path : profiles) {
        std::optional<size_t> size;
        std::optional<RawShape> shape;
        if (fs::path(path).extension() == ".profraw" && (size = read_into(path, buffer)))
            shape = shape_of(buffer.data(), *size);
        if (!shape) {
            out.others.push_back(path);
            continue;
        }
        Group* group = nullptr;
        for (auto& g : groups)
            if (same_binary(g.shape, g.total.data(), *shape, buffer.data())) group = &g;
        if (group) {
            add_counters(group->total.data(), buffer.data(), *shape);
            group->members.push_back(path);
        } else {
            groups.push_back({*shape, std::vector<char>(buffer.begin(), buffer.begin() + long(*size)), {path}});
        }
    }
    for (size_t k = 0; k < groups.size(); ++k) {
        Group& g = groups[k];
        if (g.members.size() == 1) {
            out.others.push_back(g.members.front());
            continue;
        }
        std::string summed = (fs::path(scratch_dir) / ("summed-" + std::to_string(k) + ".profraw")).string();
        write_whole_file(summed, std::string_view(g.total.data(), g.total.size()));
        out.groups.push_back({summed, std::move(g.members)});
    }
    return out;
}

}  // namespace dlcov
