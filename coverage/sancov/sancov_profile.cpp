#include "sancov_profile.h"

#include "error.h"
#include "sancov_format.h"
#include "whole_file.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

namespace dlcov::sancov {

namespace {

constexpr size_t kPage = DLCOV_SANCOV_PAGE_BYTES;

std::string hex(const uint8_t* bytes, size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 15];
    }
    return out;
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UserError(path + ": cannot open the sancov profile: " + std::strerror(errno));
    return std::string(std::istreambuf_iterator<char>(in), {});
}

[[noreturn]] void bad(const std::string& path, size_t offset, const std::string& what) {
    throw UserError(path + ": byte " + std::to_string(offset) + ": " + what);
}

size_t padded(size_t bytes) { return (bytes + kPage - 1) / kPage * kPage; }

}  // namespace

bool is_sancov_profile_name(const std::string& path) {
    return path.size() > 7 && path.compare(path.size() - 7, 7, ".sancov") == 0;
}

Profile read_sancov_profile(const std::string& path) {
    std::string bytes = read_bytes(path);
    sancov_file_header file{};
    if (bytes.size() < sizeof file || std::memcmp(bytes.data(), DLCOV_SANCOV_MAGIC, 8) != 0)
        bad(path, 0, "not a sancov profile (expected the magic \"" DLCOV_SANCOV_MAGIC "\" of dlcov's sancov runtime)");
    std::memcpy(&file, bytes.data(), sizeof file);
    if (file.version != DLCOV_SANCOV_VERSION)
        bad(path, 8, "sancov profile format version " + std::to_string(file.version) + ", this dlcov reads version " +
                         std::to_string(DLCOV_SANCOV_VERSION));
    if (file.counter_bytes != 4 && file.counter_bytes != 8)
        bad(path, 12, "counter width " + std::to_string(file.counter_bytes) + " bytes, expected 4 or 8");
    Profile profile;
    profile.counter_bytes = file.counter_bytes;
    profile.pid = file.pid;
    size_t at = DLCOV_SANCOV_FILE_HEADER_BYTES;
    if (bytes.size() < at) bad(path, bytes.size(), "cut short inside the file header");
    while (at < bytes.size()) {
        if (bytes.size() - at < kPage) bad(path, at, "cut short inside a module record's header");
        sancov_module_header m{};
        std::memcpy(&m, bytes.data() + at, sizeof m);
        if (m.magic == 0 && std::all_of(bytes.begin() + long(at), bytes.begin() + long(at + kPage), [](char c) { return c == 0; }))
            break;  // grown for a module, never written: the writer was killed at that moment
        if (m.magic != DLCOV_SANCOV_MODULE_MAGIC || m.header_bytes != kPage)
            bad(path, at, "expected a module record (magic MODL, a header of one page)");
        if (m.build_id_bytes > DLCOV_SANCOV_BUILD_ID_MAX || m.path_bytes > DLCOV_SANCOV_PATH_MAX)
            bad(path, at, "a module record with a build id or path longer than the format allows");
        if (m.guard_count > (bytes.size() - at) / file.counter_bytes)
            bad(path, at, "a module record of " + std::to_string(m.guard_count) + " counters, more than the file holds");
        size_t counters = at + kPage, length = padded(size_t(m.guard_count) * file.counter_bytes);
        if (bytes.size() - counters < length)
            bad(path, at, "cut short inside the counters of " + std::string(m.path, m.path_bytes));
        ModuleCounts module;
        module.build_id = hex(m.build_id, m.build_id_bytes);
        module.path.assign(m.path, m.path_bytes);
        module.file_size = m.file_size;
        module.counts.resize(m.guard_count);
        for (size_t i = 0; i < m.guard_count; ++i) {
            if (file.counter_bytes == 4) {
                uint32_t c;
                std::memcpy(&c, bytes.data() + counters + 4 * i, 4);
                module.counts[i] = c;
            } else {
                std::memcpy(&module.counts[i], bytes.data() + counters + 8 * i, 8);
            }
        }
        profile.modules.push_back(std::move(module));
        at = counters + length;
    }
    return profile;
}

void write_sancov_total(const std::string& path, const std::vector<ModuleCounts>& modules) {
    std::string out(DLCOV_SANCOV_FILE_HEADER_BYTES, '\0');
    sancov_file_header file{};
    std::memcpy(file.magic, DLCOV_SANCOV_MAGIC, 8);
    file.version = DLCOV_SANCOV_VERSION;
    file.counter_bytes = 8;
    std::memcpy(out.data(), &file, sizeof file);
    for (const ModuleCounts& module : modules) {
        sancov_module_header m{};
        m.magic = DLCOV_SANCOV_MODULE_MAGIC;
        m.header_bytes = kPage;
        m.guard_count = module.counts.size();
        m.file_size = module.file_size;
        if (module.build_id.size() / 2 > DLCOV_SANCOV_BUILD_ID_MAX || module.path.size() > DLCOV_SANCOV_PATH_MAX)
            throw UserError(path + ": module " + module.path + " has a build id or path too long for the format");
        m.build_id_bytes = uint32_t(module.build_id.size() / 2);
        for (size_t i = 0; i < m.build_id_bytes; ++i) m.build_id[i] = uint8_t(std::stoul(module.build_id.substr(2 * i, 2), nullptr, 16));
        m.path_bytes = uint32_t(module.path.size());
        std::memcpy(m.path, module.path.data(), module.path.size());
        size_t at = out.size();
        out.resize(at + kPage + padded(module.counts.size() * 8), '\0');
        std::memcpy(out.data() + at, &m, sizeof m);
        std::memcpy(out.data() + at + kPage, module.counts.data(), module.counts.size() * 8);
    }
    write_whole_file(path, out);
}

}  // namespace dlcov::sancov
