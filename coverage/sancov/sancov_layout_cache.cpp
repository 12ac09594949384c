#include "sancov_layout_cache.h"

#include "error.h"
#include "sancov_debug_info.h"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <type_traits>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dlcov::sancov {

namespace {

constexpr char kMagic[8] = {'D', 'L', 'C', 'O', 'V', 'S', 'C', 'L'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = sizeof kMagic + sizeof kFormatVersion;
constexpr size_t kDigestBytes = sizeof(uint64_t);

uint64_t fnv1a64(const char* data, size_t size) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; ++i) {
        h ^= uint8_t(data[i]);
        h *= 0x100000001b3ULL;
    }
    return h;
}

class Writer {
public:
    template <typename T>
    void put(T value) {
        static_assert(std::is_trivially_copyable_v<T>);
        out_.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    void put(const std::string& s) {
        put(uint64_t(s.size()));
        out_ += s;
    }
    template <typename T>
    void put(const std::vector<T>& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        put(uint64_t(v.size()));
        out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    std::string& bytes() { return out_; }

private:
    std::string out_;
};

// Thrown inside the reader for any file that is not a whole, consistent cache.
struct NotACache {};

// Reads the payload; every read is bounds-checked, and a count is checked against the bytes left
// before anything is allocated for it.
class Reader {
public:
    Reader(const char* data, size_t size) : p_(data), end_(data + size) {}
    template <typename T>
    T get() {
        static_assert(std::is_trivially_copyable_v<T>);
        need(sizeof(T));
        T value;
        std::memcpy(&value, p_, sizeof value);
        p_ += sizeof value;
        return value;
    }
    uint64_t count(size_t element_bytes) {
        uint64_t n = get<uint64_t>();
        if (element_bytes && n > uint64_t(end_ - p_) / element_bytes) throw NotACache{};
        return n;
    }
    std::string string() {
        uint64_t n = count(1);
        std::string s(p_, size_t(n));
        p_ += n;
        return s;
    }
    template <typename T>
    std::vector<T> vector() {
        uint64_t n = count(sizeof(T));
        std::vector<T> v(static_cast<size_t>(n));
        if (n) std::memcpy(v.data(), p_, size_t(n) * sizeof(T));
        p_ += n * sizeof(T);
        return v;
    }
    bool at_end() const { return p_ == end_; }

private:
    void need(size_t n) const {
        if (size_t(end_ - p_) < n) throw NotACache{};
    }
    const char* p_;
    const char* end_;
};

void put_binary(Writer& w, const SancovBinaryKey& key, size_t blocks) {
    w.put(key.path);
    w.put(key.build_id);
    w.put(key.file_size);
    w.put(key.modified);
    w.put(uint64_t(blocks));
}

void put_layout(Writer& w, const CoverageLayout& layout) {
    w.put(uint64_t(layout.files.size()));
    for (const SourceFile& file : layout.files) {
        w.put(file.path);
        w.put(uint64_t(file.functions.size()));
        for (const FunctionDefinition& fn : file.functions) {
            w.put(fn.name);
            w.put(fn.display_name);
            w.put(uint32_t(fn.line));
            w.put(uint32_t(fn.column));
            w.put(uint8_t(fn.is_function));
            w.put(uint64_t(fn.instantiations.size()));
            for (const Instantiation& inst : fn.instantiations) {
                w.put(inst.name);
                w.put(uint64_t(inst.first_line));
                w.put(uint64_t(inst.line_count));
                w.put(uint64_t(inst.first_branch));
                w.put(uint64_t(inst.branch_count));
                w.put(uint64_t(inst.function_index));
                w.put(inst.branch_exits);
                w.put(uint8_t(inst.counts_when_all_ran));
            }
        }
    }
    w.put(layout.line_numbers);
    w.put(layout.branch_lines);
    w.put(uint64_t(layout.function_items));
}

// The smallest bytes an element of a counted list takes, so that a bogus count fails at once.
constexpr size_t kMinFileBytes = 16, kMinFunctionBytes = 8 + 8 + 4 + 4 + 1 + 8, kMinInstantiationBytes = 8 + 5 * 8 + 8 + 1;

CoverageLayout get_layout(Reader& r) {
    CoverageLayout layout;
    layout.files.resize(size_t(r.count(kMinFileBytes)));
    for (SourceFile& file : layout.files) {
        file.path = r.string();
        file.functions.resize(size_t(r.count(kMinFunctionBytes)));
        for (FunctionDefinition& fn : file.functions) {
            fn.name = r.string();
            fn.display_name = r.string();
            fn.line = r.get<uint32_t>();
            fn.column = r.get<uint32_t>();
            fn.is_function = r.get<uint8_t>() != 0;
            fn.instantiations.resize(size_t(r.count(kMinInstantiationBytes)));
            for (Instantiation& inst : fn.instantiations) {
                inst.name = r.string();
                inst.first_line = size_t(r.get<uint64_t>());
                inst.line_count = size_t(r.get<uint64_t>());
                inst.first_branch = size_t(r.get<uint64_t>());
                inst.branch_count = size_t(r.get<uint64_t>());
                inst.function_index = size_t(r.get<uint64_t>());
                inst.branch_exits = r.vector<int>();
                inst.counts_when_all_ran = r.get<uint8_t>() != 0;
            }
        }
    }
    layout.line_numbers = r.vector<unsigned>();
    layout.branch_lines = r.vector<unsigned>();
    layout.function_items = size_t(r.get<uint64_t>());
    return layout;
}

// begin: items+1 offsets from 0, never decreasing, ending at blocks.size(); every block a counter.
bool valid_ranges(const std::vector<uint32_t>& begin, const std::vector<uint32_t>& blocks, size_t items,
                  size_t block_count) {
    if (begin.size() != items + 1 || begin.front() != 0 || begin.back() != blocks.size()) return false;
    for (size_t i = 1; i < begin.size(); ++i)
        if (begin[i] < begin[i - 1]) return false;
    for (uint32_t b : blocks)
        if (b >= block_count) return false;
    return true;
}

// Every index a reading or a summary follows stays inside its vector.
bool consistent(const SancovLayoutData& d) {
    const CoverageLayout& l = d.layout;
    for (const SourceFile& file : l.files)
        for (const FunctionDefinition& fn : file.functions)
            for (const Instantiation& inst : fn.instantiations) {
                if (inst.first_line > l.line_numbers.size() || inst.line_count > l.line_numbers.size() - inst.first_line)
                    return false;
                if (inst.first_branch > l.branch_lines.size() ||
                    inst.branch_count > l.branch_lines.size() - inst.first_branch)
                    return false;
                if (!inst.branch_exits.empty() && inst.branch_exits.size() != inst.branch_count) return false;
                if (inst.function_index >= l.function_items) return false;
            }
    return valid_ranges(d.line_begin, d.line_blocks, l.line_numbers.size(), d.block_count) &&
           valid_ranges(d.entry_begin, d.entry_blocks, l.function_items, d.block_count) &&
           valid_ranges(d.inlined_begin, d.inlined_blocks, l.function_items, d.block_count);
}

bool same_binary(const SancovBinaryKey& a, const SancovBinaryKey& b) {
    return a.path == b.path && a.build_id == b.build_id && a.file_size == b.file_size &&
           (!a.build_id.empty() || a.modified == b.modified);
}

std::optional<SancovLayoutData> parse(const std::string& bytes, const std::vector<SancovBinaryKey>& binaries) {
    if (bytes.size() < kHeaderBytes + kDigestBytes || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
        return std::nullopt;
    uint32_t version;
    std::memcpy(&version, bytes.data() + sizeof kMagic, sizeof version);
    if (version != kFormatVersion) return std::nullopt;
    const char* payload = bytes.data() + kHeaderBytes;
    size_t payload_size = bytes.size() - kHeaderBytes - kDigestBytes;
    uint64_t digest;
    std::memcpy(&digest, payload + payload_size, sizeof digest);
    if (digest != fnv1a64(payload, payload_size)) return std::nullopt;

    Reader r(payload, payload_size);
    SancovLayoutData d;
    if (r.count(8 * 5) != binaries.size()) return std::nullopt;
    for (const SancovBinaryKey& want : binaries) {
        SancovBinaryKey key;
        key.path = r.string();
        key.build_id = r.string();
        key.file_size = r.get<uint64_t>();
        key.modified = r.get<int64_t>();
        uint64_t blocks = r.get<uint64_t>();
        if (!same_binary(key, want) || blocks > UINT32_MAX - d.block_count) return std::nullopt;
        d.binaries.push_back({key.path, key.build_id, key.file_size, size_t(blocks), d.block_count});
        d.block_count += size_t(blocks);
    }
    d.layout = get_layout(r);
    d.line_begin = r.vector<uint32_t>();
    d.line_blocks = r.vector<uint32_t>();
    d.entry_begin = r.vector<uint32_t>();
    d.entry_blocks = r.vector<uint32_t>();
    d.inlined_begin = r.vector<uint32_t>();
    d.inlined_blocks = r.vector<uint32_t>();
    if (!r.at_end() || !consistent(d)) return std::nullopt;
    return d;
}

}  // namespace

std::string sancov_layout_cache_path(const std::string& build_dir) {
    return (fs::path(build_dir) / "sancov-layout.cache").string();
}

SancovBinaryKey sancov_binary_key(const std::string& path) {
    if (!fs::is_regular_file(path)) throw UserError(path + ": the build's binary is missing; run `dlcov instrument` again");
    SancovBinaryKey key;
    key.path = path;
    key.build_id = elf_build_id(path);
    std::error_code ec;
    key.file_size = fs::file_size(path, ec);
    auto modified = fs::last_write_time(path, ec);
    if (ec) throw UserError(path + ": cannot read its size and time: " + ec.message());
    key.modified = int64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(modified.time_since_epoch()).count());
    return key;
}

std::optional<SancovLayoutData> read_sancov_layout_cache(const std::string& cache,
                                                         const std::vector<SancovBinaryKey>& binaries) {
    std::error_code ec;
    uint64_t size = fs::file_size(cache, ec);
    if (ec) return std::nullopt;
    std::ifstream in(cache, std::ios::binary);
    std::string bytes(size_t(size), '\0');
    if (!in || !in.read(bytes.data(), std::streamsize(size)) || in.peek() != std::char_traits<char>::eof())
        return std::nullopt;  // unreadable, or changed while read
    try {
        return parse(bytes, binaries);
    } catch (const NotACache&) {
        return std::nullopt;
    } catch (const std::bad_alloc&) {
        return std::nullopt;
    } catch (const std::length_error&) {
        return std::nullopt;
    }
}

bool write_sancov_layout_cache(const std::string& cache, const std::vector<SancovBinaryKey>& binaries,
                               const SancovLayoutData& data) {
    if (binaries.size() != data.binaries.size()) return false;
    Writer w;
    w.bytes().append(kMagic, sizeof kMagic);
    w.put(kFormatVersion);
    w.put(uint64_t(binaries.size()));
    for (size_t i = 0; i < binaries.size(); ++i) put_binary(w, binaries[i], data.binaries[i].blocks);
    put_layout(w, data.layout);
    w.put(data.line_begin);
    w.put(data.line_blocks);
    w.put(data.entry_begin);
    w.put(data.entry_blocks);
    w.put(data.inlined_begin);
    w.put(data.inlined_blocks);
    w.put(fnv1a64(w.bytes().data() + kHeaderBytes, w.bytes().size() - kHeaderBytes));

    // A name of this process's own beside the cache: two processes writing at once each rename a
    // whole file.
    std::string temporary = cache + ".tmp-" + std::to_string(getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (out) out.write(w.bytes().data(), std::streamsize(w.bytes().size()));
        if (out) out.close();
        if (!out) {
            std::error_code ec;
            fs::remove(temporary, ec);
            return false;
        }
    }
    std::error_code ec;
    fs::rename(temporary, cache, ec);
    if (!ec) return true;
    fs::remove(temporary, ec);
    return false;
}

}  // namespace dlcov::sancov
