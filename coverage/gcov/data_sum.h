// Adding gcc data files (.gcda) of one object, in dlcov's process: what a program's own runs do to
// the .gcda next to its notes (libgcov merges at exit), and what `gcov-tool merge` does, for the
// counters gcc --coverage writes (arc counters). Folding a campaign's processes one gcov-tool run at
// a time cost 30 ms each on tiny-dnn, more than TenFuzz-style's executions did.
//
// The records (gcc 12): a summary (runs, largest run's sum), then per function its record (ident,
// checksums; or empty) and its arc counters (64-bit; a negative length: all zero, not written),
// then a closing zero word. Adding keeps the first file's records and adds the counters; runs add,
// the summary's maximum is the larger one.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dlcov::gcov {

class DataSum {
public:
    // Adds a whole data file (check_data_file). UserError naming it when it is not of the same
    // compile as those added before (other functions or counters), or holds counters other than
    // arc counters (-fprofile-values, -fprofile-generate): then the sum is as it was.
    void add(const std::string& gcda);
    bool empty() const { return words_.empty(); }
    // Writes the sum as a data file gcov reads.
    void write(const std::string& path) const;

private:
    struct Counters {
        size_t at;     // index into words_ of the record's first counter (its low word)
        size_t count;  // 64-bit counters
    };
    std::vector<uint32_t> words_;     // the first file's words, counters expanded, written back as a data file
    std::vector<Counters> counters_;  // every counter record, in order
    size_t summary_ = 0;              // index of the summary's runs word
};

}  // namespace dlcov::gcov
