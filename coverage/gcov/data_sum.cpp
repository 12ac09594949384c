#include "data_sum.h"

#include "error.h"
#include "whole_file.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

namespace dlcov::gcov {

namespace {

constexpr uint32_t kSummaryTag = 0xa1000000;
constexpr uint32_t kFunctionTag = 0x01000000;
constexpr uint32_t kArcCountersTag = 0x01a10000;
constexpr size_t kHeaderWords = 4;  // magic, version, stamp, checksum

struct Parsed {
    std::vector<uint32_t> words;  // zero counter records written out in full
    std::vector<std::pair<size_t, size_t>> counters;  // (first word, count) of each counter record
    size_t summary = 0;
};

Parsed parse(const std::string& gcda) {
    std::ifstream in(gcda, std::ios::binary);
    if (!in) throw UserError(gcda + ": cannot read this gcc data file (.gcda)");
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.size() % 4 || bytes.size() < (kHeaderWords + 1) * 4)
        throw UserError(gcda + ": not a whole gcc data file (" + std::to_string(bytes.size()) + " bytes)");
    std::vector<uint32_t> raw(bytes.size() / 4);
    std::memcpy(raw.data(), bytes.data(), bytes.size());
    Parsed p;
    p.words.assign(raw.begin(), raw.begin() + kHeaderWords);
    size_t at = kHeaderWords;
    while (at < raw.size() && raw[at] != 0) {
        if (at + 2 > raw.size()) throw UserError(gcda + ": cut short in a record's header");
        uint32_t tag = raw[at];
        int32_t length = int32_t(raw[at + 1]);
        at += 2;
        size_t words = length > 0 ? size_t(length) / 4 : 0;
        if (at + words > raw.size()) throw UserError(gcda + ": cut short in a record");
        if (tag == kArcCountersTag) {
            size_t count = size_t(length < 0 ? -int64_t(length) : length) / 8;
            p.words.push_back(tag);
            p.words.push_back(uint32_t(count * 8));
            p.counters.emplace_back(p.words.size(), count);
            if (length > 0) p.words.insert(p.words.end(), raw.begin() + long(at), raw.begin() + long(at + words));
            else p.words.resize(p.words.size() + 2 * count, 0);  // written without its zeros
        } else if (tag == kSummaryTag || tag == kFunctionTag) {
            if (tag == kSummaryTag) {
                if (words != 2) throw UserError(gcda + ": a summary record of " + std::to_string(length) + " bytes");
                p.summary = p.words.size() + 2;
            }
            p.words.insert(p.words.end(), raw.begin() + long(at - 2), raw.begin() + long(at + words));
        } else {
            char hex[16];
            snprintf(hex, sizeof hex, "%08x", tag);
            throw UserError(gcda + ": holds counters of kind " + hex +
                            " (value profiling, -fprofile-generate); dlcov adds the arc counters gcc --coverage "
                            "writes, and nothing else");
        }
        at += words;
    }
    if (!p.summary) throw UserError(gcda + ": no summary record");
    p.words.push_back(0);  // the closing word
    return p;
}

uint64_t counter(const std::vector<uint32_t>& w, size_t at) { return uint64_t(w[at]) | uint64_t(w[at + 1]) << 32; }

void set_counter(std::vector<uint32_t>& w, size_t at, uint64_t v) {
    w[at] = uint32_t(v);
    w[at + 1] = uint32_t(v >> 32);
}

}  // namespace

void DataSum::add(const std::string& gcda) {
    Parsed p = parse(gcda);
    if (words_.empty()) {
        words_ = std::move(p.words);
        for (const auto& [at, count] : p.counters) counters_.push_back({at, count});
        summary_ = p.summary;
        return;
    }
    // Everything but counters and the summary's values must be the first file's.
    bool same = p.words.size() == words_.size() && p.counters.size() == counters_.size() && p.summary == summary_;
    for (size_t k = 0; same && k < counters_.size(); ++k)
        same = p.counters[k].first == counters_[k].at && p.counters[k].second == counters_[k].count;
    if (same) {
        // Compare the words between the summary's values and the counters.
        std::vector<std::pair<size_t, size_t>> skip{{summary_, summary_ + 2}};
        for (const Counters& c : counters_) skip.emplace_back(c.at, c.at + 2 * c.count);
        std::sort(skip.begin(), skip.end());
        size_t from = 0;
        for (const auto& [begin, end] : skip) {
            same = same && std::equal(words_.begin() + long(from), words_.begin() + long(begin), p.words.begin() + long(from));
            from = end;
        }
        same = same && std::equal(words_.begin() + long(from), words_.end(), p.words.begin() + long(from));
    }
    if (!same)
        throw UserError(gcda + ": its functions or counters differ from the data files added before (another compile "
                        "of the object?)");
    for (const Counters& c : counters_)
        for (size_t i = 0; i < c.count; ++i) {
            size_t at = c.at + 2 * i;
            set_counter(words_, at, counter(words_, at) + counter(p.words, at));
        }
    words_[summary_] += p.words[summary_];                                 // runs
    words_[summary_ + 1] = std::max(words_[summary_ + 1], p.words[summary_ + 1]);  // the largest run's maximum
}

void DataSum::write(const std::string& path) const {
    if (words_.empty()) throw UserError(path + ": no data file was added to write");
    std::string bytes(words_.size() * 4, '\0');
    std::memcpy(bytes.data(), words_.data(), bytes.size());
    write_whole_file(path, bytes);
}

}  // namespace dlcov::gcov
