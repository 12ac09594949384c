#include "decoded_mapping.h"

#include "error.h"

#include <llvm/ProfileData/Coverage/CoverageMapping.h>
#include <llvm/ProfileData/Coverage/CoverageMappingReader.h>
#include <llvm/ProfileData/InstrProf.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <iterator>
#include <map>
#include <mutex>

namespace fs = std::filesystem;

namespace dlcov {

using llvm::coverage::CounterExpression;
using llvm::coverage::CounterMappingRegion;
using llvm::coverage::CoverageMappingRecord;

// One object's records, owning everything LLVM's records point at.
struct DecodedMapping::Object {
    struct Record {
        std::string name;
        uint64_t hash = 0;
        const std::vector<llvm::StringRef>* filenames = nullptr;
        std::vector<CounterExpression> expressions;
        std::vector<CounterMappingRegion> regions;
    };
    std::deque<std::string> strings;                    // file names (stable addresses)
    std::deque<std::vector<llvm::StringRef>> filename_sets;  // each list of files records name
    std::vector<Record> records;
};

namespace {

// Hands LLVM's loader one object's records as BinaryCoverageReader read them.
class ReplayReader final : public llvm::coverage::CoverageMappingReader {
public:
    explicit ReplayReader(const std::vector<DecodedMapping::Object::Record>& records) : records_(records) {}
    llvm::Error readNextRecord(CoverageMappingRecord& out) override {
        if (next_ == records_.size())
            return llvm::make_error<llvm::coverage::CoverageMapError>(llvm::coverage::coveragemap_error::eof);
        const auto& r = records_[next_++];
        out.FunctionName = r.name;
        out.FunctionHash = r.hash;
        out.Filenames = *r.filenames;
        out.Expressions = r.expressions;
        out.MappingRegions = r.regions;
        return llvm::Error::success();
    }

private:
    const std::vector<DecodedMapping::Object::Record>& records_;
    size_t next_ = 0;
};

}  // namespace

DecodedMapping::DecodedMapping(std::vector<std::string> objects) : objects_(std::move(objects)) {
    for (const auto& object : objects_) {
        auto buffer = llvm::MemoryBuffer::getFile(object, /*IsText=*/false, /*RequiresNullTerminator=*/false);
        if (!buffer) throw UserError(object + ": cannot read: " + buffer.getError().message());
        llvm::SmallVector<std::unique_ptr<llvm::MemoryBuffer>, 4> buffers;
        auto readers = llvm::coverage::BinaryCoverageReader::create((*buffer)->getMemBufferRef(), "", buffers);
        if (!readers)
            throw UserError("cannot read coverage mapping of " + object + ": " + llvm::toString(readers.takeError()) +
                            " (objects must be built with -fprofile-instr-generate -fcoverage-mapping by clang " +
                            std::to_string(LLVM_VERSION_MAJOR) + ")");
        auto decoded = std::make_unique<Object>();
        // Each record names the files its regions are in; many records name the same files, which
        // are stored once. (The reader hands every record's list over in one reused array.)
        std::map<std::vector<llvm::StringRef>, const std::vector<llvm::StringRef>*> sets;
        std::map<llvm::StringRef, llvm::StringRef> stored;  // each file name once
        for (auto& reader : *readers) {
            for (auto record : *reader) {
                if (llvm::Error e = record.takeError())
                    throw UserError("cannot read coverage mapping of " + object + ": " + llvm::toString(std::move(e)));
                auto& set = sets[record->Filenames.vec()];
                if (!set) {
                    std::vector<llvm::StringRef> names;
                    for (llvm::StringRef f : record->Filenames) {
                        llvm::StringRef& kept = stored[f];
                        if (kept.data() == nullptr) kept = decoded->strings.emplace_back(f.str());
                        names.push_back(kept);
                    }
                    set = &decoded->filename_sets.emplace_back(std::move(names));
                }
                decoded->records.push_back({record->FunctionName.str(), record->FunctionHash, set,
                                            record->Expressions.vec(), record->MappingRegions.vec()});
                keys_.emplace_back(llvm::IndexedInstrProf::ComputeHash(record->FunctionName), record->FunctionHash);
            }
        }
        decoded_.push_back(std::move(decoded));
    }
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

size_t DecodedMapping::record_count() const {
    size_t n = 0;
    for (const auto& o : decoded_) n += o->records.size();
    return n;
}

std::vector<std::unique_ptr<llvm::coverage::CoverageMappingReader>> DecodedMapping::readers() const {
    std::vector<std::unique_ptr<llvm::coverage::CoverageMappingReader>> out;
    for (const auto& o : decoded_) out.push_back(std::make_unique<ReplayReader>(o->records));
    return out;
}

}  // namespace dlcov
