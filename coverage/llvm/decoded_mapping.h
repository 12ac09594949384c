// The coverage mappings of a set of instrumented objects, decoded once and kept.
//
// Reading coverage through LLVM's CoverageMapping::load decodes every object's mapping again
// (decompressing file names, decoding every region) for every profile it is read with, then
// sorts and combines every function's regions again; at framework scale that is most of a
// reading. A decoded mapping keeps, per function record, what a reading needs of it
// (mapping_plan.h), for any number of readings with any profiles (mapping_evaluation.h). It also
// names the objects' functions (function_keys) without a second pass over them.
//
// Memory: a few dozen bytes per region of a function's own file (the peak memory figures of
// tools/framework-scale/README.md include it). `shared` hands every pipeline of a process (a
// campaign's trials) the same one.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dlcov {

struct MappingPlan;

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
    // Every record of every object, in the order LLVM loads them (objects in order, each
    // object's records in order).
    const MappingPlan& plan() const { return *plan_; }

private:
    std::vector<std::string> objects_;
    std::unique_ptr<MappingPlan> plan_;
    std::vector<FunctionKey> keys_;
};

}  // namespace dlcov
