// RunningProfile (coverage/llvm/running_profile.h): raw profiles folded into a running total in
// memory give the total LLVM's merge gives, function by function and counter by counter, and
// anything it does not add up itself is left to that merge, with the total untouched.
#include "decoded_mapping.h"
#include "llvm_contract_fixture.h"
#include "llvm_reader.h"
#include "profile_merge.h"
#include "running_profile.h"
#include "test_support.h"
#include "whole_file.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <map>

#include <llvm/ProfileData/InstrProfReader.h>
#include <llvm/ProfileData/InstrProfWriter.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;

namespace {

// Every function's counters by name and hash, as LLVM's reader reads them (record order in the
// file follows the order functions were added, which says nothing).
using ProfileCounts = std::map<std::pair<std::string, uint64_t>, std::vector<uint64_t>>;
ProfileCounts counts_of(const std::string& profile) {
    ProfileCounts out;
    auto reader = llvm::InstrProfReader::create(profile);
    if (!reader) FAIL(profile << ": " << llvm::toString(reader.takeError()));
    for (auto& record : **reader) out[{record.Name.str(), record.Hash}] = record.Counts;
    if ((*reader)->hasError()) FAIL(profile << ": " << llvm::toString((*reader)->getError()));
    REQUIRE(!out.empty());
    return out;
}

// The total LLVM's merge makes of `inputs` (through dlcov's merge_profiles, as the fold's
// fallback does), written to `path`.
ProfileCounts merged_through_llvm(const std::vector<std::string>& inputs, const std::string& path) {
    MergeResult m = merge_profiles(inputs, path);
    REQUIRE(m.skipped.empty());
    return counts_of(path);
}

std::vector<std::string> slice(const std::vector<std::string>& all, size_t from, size_t to) {
    return {all.begin() + std::ptrdiff_t(from), all.begin() + std::ptrdiff_t(to)};
}

struct RanFunction {
    std::string name;
    uint64_t hash = 0;
    size_t counters = 0;
};

// A function that ran in the process of `raw_profile`: its name, structural hash and counter count.
RanFunction function_that_ran(const std::string& raw_profile) {
    auto reader = llvm::InstrProfReader::create(raw_profile);
    REQUIRE(bool(reader));
    for (auto& record : **reader)
        if (!record.Counts.empty() && record.Counts[0] > 0) return {record.Name.str(), record.Hash, record.Counts.size()};
    FAIL("no function ran in " << raw_profile);
    return {};
}

// Writes an indexed profile holding one function with `counts`.
void write_indexed(const std::string& path, const std::string& name, uint64_t hash, std::vector<uint64_t> counts) {
    llvm::InstrProfWriter writer;
    writer.addRecord(llvm::NamedInstrProfRecord(name, hash, std::move(counts)), 1, [](llvm::Error e) {
        FAIL(llvm::toString(std::move(e)));
    });
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
    REQUIRE(!ec);
    REQUIRE(!writer.write(out));
}

}  // namespace

TEST_CASE("raw profiles folded in memory give the total LLVM's merge gives, and its readings") {
    const ContractFixture& f = contract_fixture();
    REQUIRE(f.profiles.size() == 10);
    std::string dir = scratch_dir("running-profile");
    std::string total = dir + "/total.profdata", reference = dir + "/reference.profdata";
    // The total starts as one process's profile of the program: the library's functions are new to it.
    merge_profiles({f.profiles[0]}, total);
    fs::copy_file(total, reference);

    RunningProfile running;
    std::vector<std::string> batches[] = {slice(f.profiles, 1, 4), slice(f.profiles, 4, 10), f.profiles};
    for (const auto& batch : batches) {
        auto folded = running.fold(total, batch);
        REQUIRE(folded);
        std::vector<std::string> sorted = batch;
        std::sort(sorted.begin(), sorted.end());
        CHECK(*folded == sorted);
        std::string next = dir + "/reference-next.profdata";
        std::vector<std::string> inputs = {reference};
        inputs.insert(inputs.end(), batch.begin(), batch.end());
        ProfileCounts expected = merged_through_llvm(inputs, next);
        fs::rename(next, reference);
        CHECK(counts_of(total) == expected);
        CHECK(!fs::exists(partial_path(total)));
    }

    must_run("llvm-profdata-14 show " + total);  // and LLVM's own tool reads it

    // A reading from the counters in memory is the reading of the file.
    std::shared_ptr<const DecodedMapping> mapping = DecodedMapping::shared({f.program, f.library});
    LlvmCoverage from_file = read_llvm_coverage(*mapping, total);
    LlvmCoverage from_memory;
    REQUIRE(running.with_counts(total, [&](const FunctionCounts& c) { from_memory = read_llvm_coverage(*mapping, c); }));
    CHECK(from_memory.layout.fingerprint() == from_file.layout.fingerprint());
    CHECK(from_memory.counts.lines == from_file.counts.lines);
    CHECK(from_memory.counts.branches == from_file.counts.branches);
    CHECK(from_memory.counts.functions == from_file.counts.functions);
    CHECK(from_memory.hash_mismatches == from_file.hash_mismatches);
    CHECK(std::any_of(from_file.counts.lines.begin(), from_file.counts.lines.end(), [](uint64_t c) { return c > 1; }));
    CHECK(!running.with_counts(reference, [](const FunctionCounts&) {}));  // another file: not held
}

TEST_CASE("a total replaced outside the running profile is read again before the next fold") {
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("running-profile-replaced");
    std::string total = dir + "/total.profdata";
    merge_profiles({f.profiles[0]}, total);
    RunningProfile running;
    REQUIRE(running.fold(total, slice(f.profiles, 1, 10)));

    // Another total at the same path (a trial restarted by hand): the memory no longer holds it.
    merge_profiles({f.profiles[2], f.profiles[3]}, dir + "/other.profdata");
    fs::rename(dir + "/other.profdata", total);
    CHECK(!running.with_counts(total, [](const FunctionCounts&) {}));
    REQUIRE(running.fold(total, {f.profiles[4]}));
    CHECK(counts_of(total) == merged_through_llvm({f.profiles[2], f.profiles[3], f.profiles[4]}, dir + "/ref.profdata"));
}

TEST_CASE("what the running profile does not add up itself is left to LLVM's merge, the total untouched") {
    const ContractFixture& f = contract_fixture();
    std::string dir = scratch_dir("running-profile-fallback");
    std::string total = dir + "/total.profdata";
    merge_profiles({f.profiles[0]}, total);
    std::string before = read_file(total);
    RunningProfile running;

    SECTION("a truncated raw profile among the new ones") {
        std::string truncated = dir + "/truncated.profraw";
        write_file(truncated, read_file(f.profiles[1]).substr(0, 200));
        CHECK(!running.fold(total, {f.profiles[1], truncated, f.profiles[2]}));
    }
    SECTION("an indexed profile among the new ones") {
        merge_profiles({f.profiles[1]}, dir + "/indexed.profdata");
        CHECK(!running.fold(total, {dir + "/indexed.profdata", f.profiles[2]}));
    }
    SECTION("a file that is not a profile") {
        write_file(dir + "/notes.profraw", "not a profile at all, but long enough to have a header's size or so");
        CHECK(!running.fold(total, {dir + "/notes.profraw"}));
    }
    SECTION("no total, or a total that is not an indexed profile") {
        CHECK(!running.fold(dir + "/missing.profdata", {f.profiles[1]}));
        CHECK(!fs::exists(dir + "/missing.profdata"));
        write_file(total, "garbage");
        before = read_file(total);
        CHECK(!running.fold(total, {f.profiles[1]}));
        CHECK(!running.with_counts(total, [](const FunctionCounts&) {}));
    }
    SECTION("a function of the total with other counters than the raw profile's (counter_mismatch)") {
        RanFunction ran = function_that_ran(f.profiles[0]);
        write_indexed(total, ran.name, ran.hash, std::vector<uint64_t>(ran.counters + 1, 1));
        before = read_file(total);
        CHECK(!running.fold(total, {f.profiles[0]}));
    }
    SECTION("counts that would overflow (counter_overflow)") {
        RanFunction ran = function_that_ran(f.profiles[0]);
        write_indexed(total, ran.name, ran.hash, std::vector<uint64_t>(ran.counters, UINT64_MAX - 1));
        before = read_file(total);
        // Its entry counter is at least 1 in the raw profile, so twice that on 2^64 - 2 overflows.
        CHECK(!running.fold(total, {f.profiles[0], f.profiles[0]}));
    }
    CHECK(read_file(total) == before);
    CHECK(!fs::exists(partial_path(total)));
    // Nothing of a refused fold stays in memory: the next one adds to the total as it is on disk.
    if (fs::exists(total) && read_file(total) != "garbage") {
        fs::copy_file(total, dir + "/reference.profdata");
        REQUIRE(running.fold(total, {f.profiles[1]}));
        CHECK(counts_of(total) == merged_through_llvm({dir + "/reference.profdata", f.profiles[1]}, dir + "/next.profdata"));
    }
}
