#include "gcov_files.h"

#include "error.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace dlcov::gcov {

namespace {

// gcc writes its words in the host's byte order; a file starting with the magic reversed comes
// from a machine of the other byte order, which dlcov does not read.
constexpr uint32_t kNotesMagic = 0x67636e6f;  // "gcno"
constexpr uint32_t kDataMagic = 0x67636461;   // "gcda"
constexpr size_t kDataHeaderBytes = 16;       // magic, version, stamp, checksum (gcc 12)
constexpr uint32_t kFunctionTag = 0x01000000;

// Records from `at`: a tag, a length in bytes (negative: a counter record written without its
// counters, all zero), the payload. Returns how many function records there are; `at` ends where
// the records stopped (the end, a zero word, or a record that runs past the end).
size_t walk_records(const std::vector<unsigned char>& bytes, size_t& at, bool& closed, bool& overrun);

std::vector<unsigned char> read_bytes(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(path + ": cannot read this " + what);
    return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

uint32_t word_at(const std::vector<unsigned char>& bytes, size_t at) {
    uint32_t w;
    std::memcpy(&w, bytes.data() + at, sizeof w);
    return w;
}

}  // namespace

NotesHeader read_notes_header(const std::string& gcno) {
    std::vector<unsigned char> bytes = read_bytes(gcno, "gcc notes file (.gcno)");
    if (bytes.size() < 20 || word_at(bytes, 0) != kNotesMagic)
        throw UserError(gcno + ": not a gcc notes file (.gcno): expected the magic 'oncg' written by gcc --coverage");
    NotesHeader h;
    h.version = word_at(bytes, 4);
    h.stamp = word_at(bytes, 8);
    if (gcc_major(h.version) < 12)
        throw UserError(gcno + ": written by gcc " + gcc_version_text(h.version) +
                        "; dlcov reads notes files of gcc 12 and later (they record the compiler's working directory)");
    // gcc 12: magic, version, stamp, checksum, then the working directory as a string (its length
    // in bytes, then the bytes padded to a word).
    uint32_t length = word_at(bytes, 16);
    if (20 + size_t(length) > bytes.size())
        throw UserError(gcno + ": the notes file is cut short (in its working directory)");
    h.working_dir.assign(reinterpret_cast<const char*>(bytes.data() + 20), length);
    h.working_dir = h.working_dir.c_str();  // up to its terminating NUL
    // Then a word (whether blocks may be unexecuted), then the records, unpadded.
    size_t at = 20 + size_t(length) + 4;
    bool closed = false, overrun = false;
    h.functions = walk_records(bytes, at, closed, overrun);
    if (overrun) throw UserError(gcno + ": the notes file is cut short (a record runs past its end)");
    return h;
}

DataHeader check_data_file(const std::string& gcda) {
    std::vector<unsigned char> bytes = read_bytes(gcda, "gcc data file (.gcda)");
    if (bytes.empty()) throw UserError(gcda + ": empty (its process ended while writing it)");
    if (bytes.size() < kDataHeaderBytes || word_at(bytes, 0) != kDataMagic)
        throw UserError(gcda + ": not a gcc data file (.gcda): expected the magic 'adcg' written by a --coverage program");
    DataHeader h{word_at(bytes, 4), word_at(bytes, 8), 0};
    size_t at = kDataHeaderBytes;
    bool closed = false, overrun = false;
    h.functions = walk_records(bytes, at, closed, overrun);
    if (overrun || !closed || at != bytes.size())
        throw UserError(gcda + ": cut short after " + std::to_string(h.functions) + " function records at byte " +
                        std::to_string(at) + " of " + std::to_string(bytes.size()) +
                        " (no closing zero word: its process was killed while writing it)");
    return h;
}

namespace {

size_t walk_records(const std::vector<unsigned char>& bytes, size_t& at, bool& closed, bool& overrun) {
    size_t functions = 0;
    closed = overrun = false;
    while (at < bytes.size()) {
        if (at + 4 <= bytes.size() && word_at(bytes, at) == 0) {  // gcc closes a data file with a zero word
            at += 4;
            closed = true;
            return functions;
        }
        if (at + 8 > bytes.size()) {
            overrun = true;
            return functions;
        }
        int32_t length;
        std::memcpy(&length, bytes.data() + at + 4, sizeof length);
        if (word_at(bytes, at) == kFunctionTag) ++functions;
        at += 8;
        if (length > 0) {
            if (at + size_t(length) > bytes.size()) {
                overrun = true;
                return functions;
            }
            at += size_t(length);
        }
    }
    return functions;
}

}  // namespace

int gcc_major(uint32_t version) {
    // gcc's version word is four characters, most significant first: 'A' + v / 100, '0' + v / 10 % 10,
    // '0' + v % 10, and '*' for a release, where v = 10 * major + minor ("B22*": 122, gcc 12.2).
    int c0 = int(version >> 24 & 0xff), c1 = int(version >> 16 & 0xff), c2 = int(version >> 8 & 0xff);
    int v = (c0 - 'A') * 100 + (c1 - '0') * 10 + (c2 - '0');
    return v / 10;
}

std::string gcc_version_text(uint32_t version) {
    int c0 = int(version >> 24 & 0xff), c1 = int(version >> 16 & 0xff), c2 = int(version >> 8 & 0xff);
    int v = (c0 - 'A') * 100 + (c1 - '0') * 10 + (c2 - '0');
    return std::to_string(v / 10) + "." + std::to_string(v % 10);
}

}  // namespace dlcov::gcov
