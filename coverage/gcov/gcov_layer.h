// The gcov coverage mode as a layer (model/coverage_layer.h): gcc --coverage objects, read from
// the .gcda data files their programs write, counted as gcovr 5.2 counts (gcov_layout.h).
//
// Objects are their notes files (.gcno, one per translation unit). A profile is a data file; the
// pipeline finds them in folders, and in campaigns each process writes its own under a folder
// GCOV_PREFIX names, `<id>-<pid>.gcda.d/` (gcc expands %p): that folder is the process's profile,
// folded and removed as a whole once the process is gone. A data file is matched to its object by
// its name and the compile's stamp (gcov_files.h), wherever it lies, so GCOV_PREFIX_STRIP may
// take any value.
//
// Reading adds the data files of each object up (data_sum.h: as the program's own runs add up in
// one .gcda) and reads the sum with gcov. The running total is a folder, gcov-total/, holding one
// summed data file per object that ran; a fold writes the new sum beside it and swaps the two
// folders in one rename (RENAME_EXCHANGE), so an interrupted fold leaves the old total or the new.
#pragma once
#include "coverage_layer.h"
#include "gcov_layout.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dlcov::gcov {

// One gcc-instrumented object: its notes file and what its data files look like.
struct GcovObject {
    std::string notes;        // absolute .gcno
    std::string data_name;    // the .gcda its program writes (notes with .gcda): absolute
    std::string working_dir;  // where the compiler ran
    uint32_t version = 0, stamp = 0;
    size_t functions = 0;  // function records in the notes, and in every whole data file
};

class GcovLayer final : public CoverageLayer {
public:
    // The layer of `notes` (.gcno files, or folders searched for them), laid out by gcov on the
    // notes alone. `gcov` "" = gcov-N of the gcc N that wrote them. UserError for a missing or
    // foreign notes file, notes of several gcc versions, or no notes.
    GcovLayer(const std::vector<std::string>& notes, std::string source_root, std::string gcov = "");

    const CoverageLayout& layout() const override { return layout_.layout; }
    const std::string& source_root() const override { return source_root_; }
    // A data file (*.gcda), or a process's folder of them (*.gcda.d).
    bool recognises(const std::string& path) const override;
    LayerReading read(const std::vector<std::string>& profiles) const override;

    std::string total_name() const override { return "gcov-total"; }
    void start_total(const std::string& total) const override;
    LayerFold fold(const std::string& total, const std::vector<std::string>& profiles) const override;
    LayerReading read_total(const std::string& total) const override;

    const std::vector<GcovObject>& objects() const { return objects_; }
    const std::string& gcov() const { return gcov_; }

private:
    // Data files grouped by object; the ones that are no data file of the objects are skipped.
    struct Matched {
        std::map<size_t, std::vector<std::string>> by_object;
        std::vector<SkippedProfile> skipped;
    };
    Matched match(const std::vector<std::string>& data_files) const;
    // The sum of an object's data files, written into `scratch`: the file itself when there is one.
    // A file that cannot be added (DataSum::add checks more than check_data_file) is left out, into
    // `skipped`.
    std::string summed(size_t object, const std::vector<std::string>& files, const std::string& scratch,
                       std::vector<SkippedProfile>& skipped) const;
    CoverageCounts counts_of(const std::map<size_t, std::string>& data_per_object, const std::string& scratch) const;
    // Where an object's data file sits inside a folder of summed data (the total's layout).
    std::string relative_data_path(size_t object) const;

    std::vector<GcovObject> objects_;
    std::string source_root_, gcov_;
    GcovLayout layout_;
    std::vector<std::string> layout_warnings_;
};

// The notes files among `paths` (files, or folders searched recursively), sorted.
std::vector<std::string> find_notes_files(const std::vector<std::string>& paths);

// The process folder (`*.gcda.d`) a data file lies in, or "" when it lies in none.
std::string process_folder_of(const std::string& data_file);

}  // namespace dlcov::gcov
