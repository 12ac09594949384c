// Running gcc's gcov (the text output dlcov reads, gcov_text.h).
#pragma once
#include <string>

namespace dlcov::gcov {

// `name` as an absolute program path: as given when it holds a '/', else searched on PATH.
// UserError naming it when it is not found ("install gcc 12: tools/install-deps").
std::string find_program(const std::string& name);

// gcov's text output (--stdout with gcovr's options: --branch-counts --branch-probabilities
// --demangled-names) of one object: its notes file and, unless `data` is "", a data file of it,
// written into `output`. gcov runs in `working_dir` (where the compiler ran: relative source
// names resolve there) on links made in `scratch_dir`, so that no data file next to the notes is
// read by mistake. Returns what gcov printed on stderr; UserError when it fails.
std::string run_gcov(const std::string& gcov, const std::string& notes, const std::string& data,
                     const std::string& working_dir, const std::string& scratch_dir, const std::string& output);

// A folder of its own under the system's temporary folder, removed with the object.
class ScratchFolder {
public:
    explicit ScratchFolder(const std::string& purpose);
    ~ScratchFolder();
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace dlcov::gcov
