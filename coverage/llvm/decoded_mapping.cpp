#include "decoded_mapping.h"

#include "error.h"
#include "mapping_plan.h"

#include <llvm/ADT/StringMap.h>
#include <llvm/ProfileData/Coverage/CoverageMappingReader.h>
#include <llvm/ProfileData/InstrProf.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <mutex>

namespace fs = std::filesystem;

namespace dlcov {

DecodedMapping::DecodedMapping(std::vector<std::string> objects)
    : objects_(std::move(objects)), plan_(std::make_unique<MappingPlan>()) {
    llvm::StringMap<uint32_t> file_index;
    for (const auto& object : objects_) {
        auto buffer = llvm::MemoryBuffer::getFile(object, /*IsText=*/false, /*RequiresNullTerminator=*/false);
        if (!buffer) throw UserError(object + ": cannot read: " + buffer.getError().message());
        llvm::SmallVector<std::unique_ptr<llvm::MemoryBuffer>, 4> buffers;
        auto readers = llvm::coverage::BinaryCoverageReader::create((*buffer)->getMemBufferRef(), "", buffers);
        if (!readers)
            throw UserError("cannot read coverage mapping of " + object + ": " + llvm::toString(readers.takeError()) +
                            " (objects must be built with -fprofile-instr-generate -fcoverage-mapping by clang " +
                            std::to_string(LLVM_VERSION_MAJOR) + ")");
        // Each record names the files its regions are in; every name is kept once, in the plan.
        for (auto& reader : *readers) {
            for (auto record : *reader) {
                if (llvm::Error e = record.takeError())
                    throw UserError("cannot read coverage mapping of " + object + ": " + llvm::toString(std::move(e)));
                std::vector<uint32_t> record_files;
                for (llvm::StringRef f : record->Filenames) {
                    auto [at, added] = file_index.try_emplace(f, uint32_t(plan_->files.size()));
                    if (added) plan_->files.push_back(f.str());
                    record_files.push_back(at->second);
                }
                plan_->add(*record, std::move(record_files), object);
                keys_.emplace_back(llvm::IndexedInstrProf::ComputeHash(record->FunctionName), record->FunctionHash);
            }
        }
    }
    plan_->finish();
    std::sort(keys_.begin(), keys_.end());
    keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
}

DecodedMapping::~DecodedMapping() = default;

std::shared_ptr<const DecodedMapping> DecodedMapping::shared(const std::vector<std::string>& objects) {
    // Weak: a mapping lives as long as some pipeline uses it. Keyed by each object's path, size
    // and modification time, so a rebuilt object is decoded again.
    std::vector<std::string> key;
    for (const auto& o : objects) {
        std::error_code size_error, time_error;  // a missing object: the constructor names it
        auto size = fs::file_size(o, size_error);
        auto time = fs::last_write_time(o, time_error).time_since_epoch().count();
        key.push_back(o + '\n' + std::to_string(size_error ? 0 : size) + '\n' + std::to_string(time_error ? 0 : time));
    }
    static std::mutex mutex;
    static std::map<std::vector<std::string>, std::weak_ptr<const DecodedMapping>> held;
    std::lock_guard<std::mutex> lock(mutex);
    if (auto live = held[key].lock()) return live;
    for (auto it = held.begin(); it != held.end();)  // mappings no pipeline uses any more
        it = it->second.expired() ? held.erase(it) : std::next(it);
    auto made = std::make_shared<const DecodedMapping>(objects);
    held[key] = made;
    return made;
}

size_t DecodedMapping::record_count() const { return plan_->records.size(); }

}  // namespace dlcov
