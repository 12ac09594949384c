// Writing an indexed profile (*.profdata) from LLVM's InstrProfWriter, with errors that name the file.
#pragma once
#include <string>

namespace llvm {
class InstrProfWriter;
}

namespace dlcov {

// Writes `writer`'s records to `path`. A failed write (a full disk) throws UserError naming the
// file, and the file is removed: unchecked, raw_fd_ostream would abort the process when it is
// destroyed.
void write_indexed_profile(llvm::InstrProfWriter& writer, const std::string& path);

}  // namespace dlcov
