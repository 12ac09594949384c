// gcc's coverage files as dlcov needs them: the notes file (.gcno, written by the compiler: the
// object's blocks and lines) and data files (.gcda, written by the program at exit: its counters).
//
// dlcov reads only their headers and the record frame: the gcc version, the compile's stamp
// (equal in an object's notes and every data file its program writes, so a data file is matched
// to its object and a stale one refused), the compiler's working directory (relative source
// names resolve there), and whether a data file is whole. gcov itself reads the rest.
#pragma once
#include <cstdint>
#include <string>

namespace dlcov::gcov {

struct NotesHeader {
    uint32_t version = 0;     // gcc's version word ("B22*" for gcc 12.2)
    uint32_t stamp = 0;       // the compile's stamp
    std::string working_dir;  // where the compiler ran
    size_t functions = 0;     // function records: every data file of the object has as many
};

// UserError naming the file when it is not a gcc notes file.
NotesHeader read_notes_header(const std::string& gcno);

struct DataHeader {
    uint32_t version = 0;
    uint32_t stamp = 0;
    size_t functions = 0;  // function records
};

// The header of a data file whose records run to gcc's closing zero word at its end. UserError
// naming the file and what is wrong otherwise: empty, cut short (a process killed while writing
// it: libgcov writes through stdio, so a file is often cut between two records), not a data file.
// A whole file holds as many function records as its object's notes (the caller compares).
DataHeader check_data_file(const std::string& gcda);

// gcc's version word as "12.2"; major(version) is 12.
std::string gcc_version_text(uint32_t version);
int gcc_major(uint32_t version);

}  // namespace dlcov::gcov
