#include "raw_profile_sum.h"

#include "error.h"
#include "whole_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iterator>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

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

// What one thread makes of a contiguous run of the profiles.
struct PartialSums {
    std::vector<SummedBinary> groups;  // in the order their first member came
    std::vector<std::string> others;
};

// Adds `shape`'s counters (in `bytes`) to the group of its binary, or starts one.
void add_to_groups(std::vector<SummedBinary>& groups, const RawShape& shape, const char* bytes,
                   std::vector<std::string> members) {
    for (auto& g : groups) {
        if (!same_binary(g.shape, g.bytes.data(), shape, bytes)) continue;
        add_counters(g.bytes.data(), bytes, shape);
        g.members.insert(g.members.end(), std::make_move_iterator(members.begin()),
                         std::make_move_iterator(members.end()));
        return;
    }
    groups.push_back({shape, std::vector<char>(bytes, bytes + shape.size), std::move(members)});
}

PartialSums sum_run(const std::string* first, const std::string* last) {
    PartialSums out;
    std::vector<char> buffer;  // each profile in turn
    for (const std::string* path = first; path != last; ++path) {
        std::optional<size_t> size;
        std::optional<RawShape> shape;
        if (fs::path(*path).extension() == ".profraw" && (size = read_into(*path, buffer)))
            shape = shape_of(buffer.data(), *size);
        if (shape)
            add_to_groups(out.groups, *shape, buffer.data(), {*path});
        else
            out.others.push_back(*path);
    }
    return out;
}

// Reading the profiles is most of the work (hundreds of MB at framework scale), and each run of
// them is independent: one thread per core, each on a contiguous run, then the runs' groups added
// up in order, so groups, members and others come out as one thread would make them.
unsigned sum_threads(size_t profiles) {
    constexpr size_t at_least_per_thread = 32;  // below this a thread costs more than it saves
    size_t cores = std::max(1u, std::thread::hardware_concurrency());
    return unsigned(std::clamp<size_t>(profiles / at_least_per_thread, 1, std::min<size_t>(cores, 8)));
}

}  // namespace

SummedRawProfiles sum_raw_profiles_by_binary(const std::vector<std::string>& profiles) {
    unsigned threads = sum_threads(profiles.size());
    std::vector<PartialSums> runs(threads);
    std::vector<std::exception_ptr> failed(threads);  // out of memory in a worker: thrown here
    {
        std::vector<std::thread> workers;
        size_t per = (profiles.size() + threads - 1) / threads;
        for (unsigned t = 0; t < threads; ++t) {
            size_t from = std::min(profiles.size(), t * per), to = std::min(profiles.size(), from + per);
            auto job = [&runs, &failed, &profiles, t, from, to] {
                try {
                    runs[t] = sum_run(profiles.data() + from, profiles.data() + to);
                } catch (...) {
                    failed[t] = std::current_exception();
                }
            };
            if (t + 1 == threads) job(); else workers.emplace_back(job);  // the last run on this thread
        }
        for (auto& w : workers) w.join();
    }
    for (const auto& e : failed)
        if (e) std::rethrow_exception(e);
    PartialSums all = std::move(runs.front());
    for (size_t t = 1; t < runs.size(); ++t) {
        for (auto& g : runs[t].groups) add_to_groups(all.groups, g.shape, g.bytes.data(), std::move(g.members));
        all.others.insert(all.others.end(), runs[t].others.begin(), runs[t].others.end());
    }
    return {std::move(all.groups), std::move(all.others)};
}

RawProfileSums sum_raw_profiles(const std::vector<std::string>& profiles, const std::string& scratch_dir) {
    SummedRawProfiles all = sum_raw_profiles_by_binary(profiles);
    RawProfileSums out;
    out.others = std::move(all.others);
    for (size_t k = 0; k < all.binaries.size(); ++k) {
        SummedBinary& g = all.binaries[k];
        if (g.members.size() == 1) {
            out.others.push_back(g.members.front());
            continue;
        }
        std::string summed = (fs::path(scratch_dir) / ("summed-" + std::to_string(k) + ".profraw")).string();
        write_whole_file(summed, std::string_view(g.bytes.data(), g.bytes.size()));
        out.groups.push_back({summed, std::move(g.members)});
    }
    return out;
}

}  // namespace dlcov
