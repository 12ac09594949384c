#include "raw_profile_sum.h"

#include "error.h"
#include "whole_file.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <type_traits>

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

// A raw profile read into memory, with where its counters are.
struct RawFile {
    std::vector<char> bytes;
    size_t counters_offset = 0, counter_count = 0;
};

std::optional<RawFile> read_raw(const std::string& path) {
    if (fs::path(path).extension() != ".profraw") return std::nullopt;
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return std::nullopt;
    RawFile f;
    f.bytes.resize(size_t(in.tellg()));
    in.seekg(0);
    if (!in.read(f.bytes.data(), std::streamsize(f.bytes.size())) || f.bytes.size() < sizeof(RawHeader))
        return std::nullopt;
    RawHeader h;
    std::memcpy(&h, f.bytes.data(), sizeof h);
    // Only the plain 64-bit format with 8-byte counters, as this LLVM writes it.
    const uint64_t unsupported = VARIANT_MASK_BYTE_COVERAGE | VARIANT_MASK_DBG_CORRELATE | VARIANT_MASK_FUNCTION_ENTRY_ONLY;
    if (h.Magic != llvm::RawInstrProf::getMagic<uint64_t>() || GET_VERSION(h.Version) != INSTR_PROF_RAW_VERSION ||
        (h.Version & unsupported))
        return std::nullopt;
    // The layout lib/ProfileData/InstrProfReader.cpp reads: header, binary ids, data, padding,
    // counters, padding, names (padded to 8), value profile data.
    uint64_t data_bytes = h.DataSize * sizeof(RawData);
    uint64_t counters_offset = sizeof(RawHeader) + h.BinaryIdsSize + data_bytes + h.PaddingBytesBeforeCounters;
    uint64_t names_end = counters_offset + h.CountersSize * sizeof(uint64_t) + h.PaddingBytesAfterCounters + h.NamesSize;
    uint64_t expected = (names_end + 7) / 8 * 8;
    // Value profile data would follow; coverage builds write none, so anything else is not ours to sum.
    if (h.CountersSize == 0 || h.DataSize == 0 || f.bytes.size() != expected) return std::nullopt;
    f.counters_offset = counters_offset;
    f.counter_count = h.CountersSize;
    return f;
}

// Whether two raw profiles come from the same binary: equal except for the counters and for the
// run-time addresses ASLR moves (CountersDelta and NamesDelta in the header, each function's
// FunctionPointer and Values), which LLVM uses for value profiling only, and coverage has none.
bool same_binary(const RawFile& a, const RawFile& b) {
    if (a.bytes.size() != b.bytes.size() || a.counters_offset != b.counters_offset || a.counter_count != b.counter_count)
        return false;
    RawHeader ha, hb;
    std::memcpy(&ha, a.bytes.data(), sizeof ha);
    std::memcpy(&hb, b.bytes.data(), sizeof hb);
    if (ha.Version != hb.Version || ha.BinaryIdsSize != hb.BinaryIdsSize || ha.DataSize != hb.DataSize ||
        ha.PaddingBytesBeforeCounters != hb.PaddingBytesBeforeCounters || ha.NamesSize != hb.NamesSize ||
        ha.PaddingBytesAfterCounters != hb.PaddingBytesAfterCounters || ha.ValueKindLast != hb.ValueKindLast)
        return false;
    size_t at = sizeof(RawHeader);
    if (std::memcmp(a.bytes.data() + at, b.bytes.data() + at, ha.BinaryIdsSize) != 0) return false;
    at += ha.BinaryIdsSize;
    for (uint64_t i = 0; i < ha.DataSize; ++i, at += sizeof(RawData)) {
        RawData da, db;
        std::memcpy(&da, a.bytes.data() + at, sizeof da);
        std::memcpy(&db, b.bytes.data() + at, sizeof db);
        if (da.NameRef != db.NameRef || da.FuncHash != db.FuncHash || da.CounterPtr != db.CounterPtr ||
            da.NumCounters != db.NumCounters ||
            std::memcmp(da.NumValueSites, db.NumValueSites, sizeof da.NumValueSites) != 0)
            return false;
    }
    size_t counters_end = a.counters_offset + a.counter_count * sizeof(uint64_t);
    return std::memcmp(a.bytes.data() + counters_end, b.bytes.data() + counters_end, a.bytes.size() - counters_end) == 0;
}

void add_counters(RawFile& total, const RawFile& more) {
    for (size_t i = 0; i < total.counter_count; ++i) {
        size_t at = total.counters_offset + i * sizeof(uint64_t);
        uint64_t a, b, sum;
        std::memcpy(&a, total.bytes.data() + at, sizeof a);
        std::memcpy(&b, more.bytes.data() + at, sizeof b);
        if (__builtin_add_overflow(a, b, &sum)) sum = UINT64_MAX;  // saturate, as llvm-profdata does
        std::memcpy(total.bytes.data() + at, &sum, sizeof sum);
    }
}

}  // namespace

RawProfileSums sum_raw_profiles(const std::vector<std::string>& profiles, const std::string& scratch_dir) {
    struct Group {
        RawFile total;
        std::vector<std::string> members;
    };
    std::vector<Group> groups;  // few: one per instrumented binary
    RawProfileSums out;
    for (const auto& path : profiles) {
        std::optional<RawFile> raw = read_raw(path);
        if (!raw) {
            out.others.push_back(path);
            continue;
        }
        Group* group = nullptr;
        for (auto& g : groups)
            if (same_binary(g.total, *raw)) group = &g;
        if (group) {
            add_counters(group->total, *raw);
            group->members.push_back(path);
        } else {
            groups.push_back({std::move(*raw), {path}});
        }
    }
    for (size_t k = 0; k < groups.size(); ++k) {
        Group& g = groups[k];
        if (g.members.size() == 1) {
            out.others.push_back(g.members.front());
            continue;
        }
        std::string summed = (fs::path(scratch_dir) / ("summed-" + std::to_string(k) + ".profraw")).string();
        write_whole_file(summed, std::string_view(g.total.bytes.data(), g.total.bytes.size()));
        out.groups.push_back({summed, std::move(g.members)});
    }
    return out;
}

}  // namespace dlcov
