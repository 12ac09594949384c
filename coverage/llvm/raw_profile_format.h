// LLVM 14's raw profile format (.profraw, version 8), as far as dlcov reads it itself: the file's
// layout from its header, and where each function record's counters are. Only the plain 64-bit
// format with 8-byte counters that clang's -fprofile-instr-generate writes; anything else is left
// to LLVM's reader (which reports what is wrong with it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include <llvm/ProfileData/InstrProf.h>

namespace dlcov {

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

// Where a raw profile's parts are, from its header.
struct RawShape {
    RawHeader header;
    size_t data_offset = 0, counters_offset = 0, counter_count = 0, names_offset = 0, size = 0;
};

// The shape of the `size` bytes at `bytes`; nullopt for anything but a whole raw profile of this
// format without value profile data (coverage builds write none).
std::optional<RawShape> shape_of(const char* bytes, size_t size);

// One function's record: its name's MD5, its structural hash and where its counters are.
struct RawRecord {
    uint64_t name_ref = 0, hash = 0;
    size_t first_counter = 0;  // index into the counters
    uint32_t counters = 0;
};

// The records of a raw profile, with their counters where LLVM 14's RawInstrProfReader finds them
// (each CounterPtr is relative to its own record). nullopt when that reader would refuse a record
// (no counters, counters out of bounds), when the profile is not a frontend (clang) one, or when a
// record has value sites. `bytes` holds the whole profile.
std::optional<std::vector<RawRecord>> raw_records(const char* bytes, const RawShape& shape);

// The i-th counter.
inline uint64_t raw_counter(const char* bytes, const RawShape& shape, size_t i) {
    uint64_t c;
    __builtin_memcpy(&c, bytes + shape.counters_offset + i * sizeof(uint64_t), sizeof c);
    return c;
}

// The names section (compressed or not, as InstrProfSymtab::create takes it).
inline std::string_view raw_names(const char* bytes, const RawShape& shape) {
    return {bytes + shape.names_offset, size_t(shape.header.NamesSize)};
}

}  // namespace dlcov
