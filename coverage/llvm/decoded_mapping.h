// The coverage mappings of a set of instrumented objects, decoded once and kept.
//
// Reading coverage through LLVM's CoverageMapping::load decodes every object's mapping again
// (decompressing file names, decoding every region) for every profile it is read with; at
// framework scale that is most of a reading. A decoded mapping is read with any number of
// profiles: LLVM's own loader replays its records (CoverageMappingReader), so the numbers are
// exactly what loading the objects gives, minus the decoding. It also names the objects'
// functions (function_keys) without a second pass over them.
//
// Memory: about 55 bytes per region of every record (60 MB for the 1.1 million regions of the
// framework-scale benchmark's 488 files: tools/framework-scale). `shared` hands every pipeline of
// a process (a campaign's trials) the same one.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace llvm::coverage {
class CoverageMappingReader;
}

namespace dlcov {

// A function as profiles and coverage mappings name it: the MD5 of its PGO name (what indexed
// profiles key records by) and its structural hash (which changes when its code does).
using FunctionKey = std::pair<uint64_t, uint64_t>;

class DecodedMapping {
public:
    // Decodes `objects` (executables or shared libraries). Throws UserError naming an object that
    // cannot be read or has no coverage mapping of this LLVM's format.
    explicit DecodedMapping(std::vector<std::string> objects);
    ~DecodedMapping();
    DecodedMapping(const DecodedMapping&) = delete;
    DecodedMapping& operator=(const DecodedMapping&) = delete;

    // The decoded mapping of `objects` that this process holds already, or a new one.
    static std::shared_ptr<const DecodedMapping> shared(const std::vector<std::string>& objects);

    const std::vector<std::string>& objects() const { return objects_; }
    size_t record_count() const;
    // Every function the mappings describe, sorted, without repeats.
    const std::vector<FunctionKey>& function_keys() const { return keys_; }
    // Readers that hand LLVM the records in the order loading the objects would (objects in
    // order, each object's records in order). They refer to this mapping: it must outlive them.
    std::vector<std::unique_ptr<llvm::coverage::CoverageMappingReader>> readers() const;

    struct Object;  // one object's records (decoded_mapping.cpp)

private:
    std::vector<std::string> objects_;
    std::vector<std::unique_ptr<Object>> decoded_;
    std::vector<FunctionKey> keys_;
};

}  // namespace dlcov
