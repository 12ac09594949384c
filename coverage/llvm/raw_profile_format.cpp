#include "raw_profile_format.h"

#include <cstring>

namespace dlcov {

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
    uint64_t data_offset = sizeof(RawHeader) + h.BinaryIdsSize;
    uint64_t counters_offset = data_offset + h.DataSize * sizeof(RawData) + h.PaddingBytesBeforeCounters;
    uint64_t names_offset = counters_offset + h.CountersSize * sizeof(uint64_t) + h.PaddingBytesAfterCounters;
    uint64_t expected = (names_offset + h.NamesSize + 7) / 8 * 8;
    // Value profile data would follow; coverage builds write none, so anything else is not ours to sum.
    if (h.CountersSize == 0 || h.DataSize == 0 || size != expected) return std::nullopt;
    s.data_offset = data_offset;
    s.counters_offset = counters_offset;
    s.counter_count = h.CountersSize;
    s.names_offset = names_offset;
    s.size = size;
    return s;
}

std::optional<std::vector<RawRecord>> raw_records(const char* bytes, const RawShape& shape) {
    const RawHeader& h = shape.header;
    if ((h.Version & VARIANT_MASKS_ALL) != 0 || h.BinaryIdsSize % sizeof(uint64_t) != 0) return std::nullopt;
    std::vector<RawRecord> out;
    out.reserve(h.DataSize);
    // The header's CountersDelta is start(counters) - start(data) in the process's memory; each
    // record's CounterPtr is its counters' address less its own, so the delta shrinks by one record
    // per record (RawInstrProfReader::advanceData).
    uint64_t delta = h.CountersDelta;
    for (uint64_t i = 0; i < h.DataSize; ++i, delta -= sizeof(RawData)) {
        RawData d;
        std::memcpy(&d, bytes + shape.data_offset + i * sizeof(RawData), sizeof d);
        for (uint16_t sites : d.NumValueSites)
            if (sites) return std::nullopt;
        int64_t distance = int64_t(d.CounterPtr - delta);
        if (d.NumCounters == 0 || distance < 0 || distance % int64_t(sizeof(uint64_t)) != 0) return std::nullopt;
        uint64_t first = uint64_t(distance) / sizeof(uint64_t);
        if (first > shape.counter_count || d.NumCounters > shape.counter_count - first) return std::nullopt;
        out.push_back({d.NameRef, d.FuncHash, size_t(first), d.NumCounters});
    }
    return out;
}

}  // namespace dlcov
