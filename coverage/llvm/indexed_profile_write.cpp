#include "indexed_profile_write.h"

#include "error.h"

#include <filesystem>

#include <llvm/ProfileData/InstrProfWriter.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>

namespace dlcov {

void write_indexed_profile(llvm::InstrProfWriter& writer, const std::string& path) {
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
    if (ec) throw UserError(path + ": cannot write merged profile: " + ec.message());
    std::string failure;
    if (llvm::Error e = writer.write(out)) failure = llvm::toString(std::move(e));
    out.close();
    if (out.has_error()) {
        if (failure.empty()) failure = "cannot write merged profile: " + out.error().message();
        out.clear_error();
    }
    if (!failure.empty()) {
        std::filesystem::remove(path, ec);
        throw UserError(path + ": " + failure);
    }
}

}  // namespace dlcov
