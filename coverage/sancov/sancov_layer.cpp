#include "sancov_layer.h"

#include "error.h"
#include "sancov_debug_info.h"
#include "sancov_layout_cache.h"
#include "sancov_profile.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace fs = std::filesystem;

namespace dlcov::sancov {

namespace {

// A function across the build's binaries: the same file and linkage name is the same code
// (an inline function or template instantiated in two executables).
using FunctionKey = std::pair<std::string, std::string>;  // (file, linkage name)

struct FunctionBlocks {
    std::string display;
    unsigned line = 0;
    std::map<unsigned, std::vector<uint32_t>> lines;  // source line -> blocks that run it
    std::vector<uint32_t> entries;
    std::vector<uint32_t> inlined;  // blocks that run an inlined copy
};

std::string describe_module(const ModuleCounts& m) {
    return m.path + " (build id " + (m.build_id.empty() ? std::string("none") : m.build_id) + ", " +
           std::to_string(m.file_size) + " bytes)";
}

// The layout from the binaries' debug information (seconds on a framework's binaries).
SancovLayoutData derive_layout(const std::vector<std::string>& objects) {
    SancovLayoutData d;
    std::map<FunctionKey, FunctionBlocks> functions;
    for (const std::string& path : objects) {
        if (!fs::is_regular_file(path)) throw UserError(path + ": the build's binary is missing; run `dlcov instrument` again");
        SancovObject object = read_sancov_object(path);
        SancovBinary binary{path, object.build_id, object.file_size, object.blocks, d.block_count};
        for (const SancovBinary& other : d.binaries)
            if (!binary.build_id.empty() && other.build_id == binary.build_id)
                throw UserError(path + " and " + other.path + " are the same binary (build id " + binary.build_id + ")");
        d.binaries.push_back(binary);
        std::vector<FunctionBlocks*> local;
        for (const SancovFunction& f : object.functions) {
            FunctionBlocks& fb = functions[{f.file, f.name}];
            if (fb.display.empty()) fb.display = f.display;
            if (f.line && (!fb.line || f.line < fb.line)) fb.line = f.line;
            local.push_back(&fb);
        }
        for (const SancovLineUse& use : object.uses) {
            local[use.function]->lines[use.line].push_back(uint32_t(d.block_count + use.block));
            if (use.inlined) local[use.function]->inlined.push_back(uint32_t(d.block_count + use.block));
        }
        for (const SancovLineUse& entry : object.entries)
            local[entry.function]->entries.push_back(uint32_t(d.block_count + entry.block));
        d.block_count += object.blocks;
        if (d.block_count > UINT32_MAX) throw UserError("more than 2^32 sancov blocks in one build");
    }

    // Files sorted by path; in a file, definitions by line, instantiations by name.
    std::map<std::string, std::map<unsigned, std::vector<std::pair<std::string, FunctionBlocks*>>>> by_file;
    for (auto& [key, fb] : functions) {
        unsigned line = fb.line ? fb.line : (fb.lines.empty() ? 0 : fb.lines.begin()->first);
        by_file[key.first][line].emplace_back(key.second, &fb);
    }
    d.line_begin.push_back(0);
    d.entry_begin.push_back(0);
    d.inlined_begin.push_back(0);
    for (auto& [path, definitions] : by_file) {
        SourceFile file;
        file.path = path;
        for (auto& [line, instantiations] : definitions) {
            FunctionDefinition fn;
            fn.line = line;
            if (instantiations.size() == 1) fn.name = instantiations.front().first;
            fn.display_name = instantiations.front().second->display;
            for (auto& [name, fb] : instantiations) {
                Instantiation inst;
                inst.name = name;
                inst.first_line = d.layout.line_numbers.size();
                for (auto& [number, blocks] : fb->lines) {
                    d.layout.line_numbers.push_back(number);
                    std::sort(blocks.begin(), blocks.end());
                    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
                    d.line_blocks.insert(d.line_blocks.end(), blocks.begin(), blocks.end());
                    d.line_begin.push_back(uint32_t(d.line_blocks.size()));
                }
                inst.line_count = d.layout.line_numbers.size() - inst.first_line;
                inst.first_branch = d.layout.branch_lines.size();
                inst.function_index = d.layout.function_items++;
                d.entry_blocks.insert(d.entry_blocks.end(), fb->entries.begin(), fb->entries.end());
                d.entry_begin.push_back(uint32_t(d.entry_blocks.size()));
                std::sort(fb->inlined.begin(), fb->inlined.end());
                fb->inlined.erase(std::unique(fb->inlined.begin(), fb->inlined.end()), fb->inlined.end());
                d.inlined_blocks.insert(d.inlined_blocks.end(), fb->inlined.begin(), fb->inlined.end());
                d.inlined_begin.push_back(uint32_t(d.inlined_blocks.size()));
                fn.instantiations.push_back(std::move(inst));
            }
            file.functions.push_back(std::move(fn));
        }
        d.layout.files.push_back(std::move(file));
    }
    return d;
}

}  // namespace

SancovLayer::SancovLayer(std::vector<std::string> objects, std::string source_root, std::string layout_cache)
    : source_root_(std::move(source_root)) {
    std::vector<SancovBinaryKey> keys;
    if (!layout_cache.empty()) {
        for (const std::string& path : objects) keys.push_back(sancov_binary_key(path));
        if (std::optional<SancovLayoutData> cached = read_sancov_layout_cache(layout_cache, keys)) {
            data_ = std::move(*cached);
            from_cache_ = true;
            return;
        }
    }
    SancovLayoutData derived = derive_layout(objects);
    // Written only when the binaries read are the ones keyed (none was rebuilt meanwhile).
    bool unchanged = !layout_cache.empty();
    for (size_t i = 0; unchanged && i < keys.size(); ++i)
        unchanged = keys[i].build_id == derived.binaries[i].build_id && keys[i].file_size == derived.binaries[i].file_size;
    if (unchanged) write_sancov_layout_cache(layout_cache, keys, derived);
    data_ = std::move(derived);
}

// A running total is read like a profile (`dlcov report` measures a trial's profiles/ folder, which
// holds the total alone).
bool SancovLayer::recognises(const std::string& path) const {
    return is_sancov_profile_name(path) || fs::path(path).filename() == total_name();
}

const SancovLayer::Binary* SancovLayer::binary_of(const std::string& build_id, const std::string& path,
                                                  uint64_t size) const {
    for (const Binary& b : data_.binaries) {
        if (!build_id.empty() ? b.build_id == build_id : b.build_id.empty() && b.path == path && b.file_size == size)
            return &b;
    }
    return nullptr;
}

std::string SancovLayer::add_profile(const std::string& path, std::vector<uint64_t>& blocks,
                                     std::vector<std::string>& warnings, bool is_total) const {
    Profile profile;
    try {
        profile = read_sancov_profile(path);
    } catch (const UserError& e) {
        if (is_total) throw;
        return e.what();
    }
    std::vector<std::pair<const Binary*, const ModuleCounts*>> ours;
    std::vector<const ModuleCounts*> foreign;
    for (const ModuleCounts& m : profile.modules) {
        const Binary* b = binary_of(m.build_id, m.path, m.file_size);
        if (!b) {
            foreign.push_back(&m);
            continue;
        }
        if (m.counts.size() != b->blocks)
            return path + ": its record of " + describe_module(m) + " has " + std::to_string(m.counts.size()) +
                   " counters, the binary has " + std::to_string(b->blocks) + " pc-table entries: a damaged profile";
        ours.emplace_back(b, &m);
    }
    if (ours.empty()) {
        std::string theirs, mine;
        for (const ModuleCounts& m : profile.modules) theirs += (theirs.empty() ? "" : ", ") + describe_module(m);
        for (const Binary& b : data_.binaries)
            mine += (mine.empty() ? "" : ", ") + b.path + " (build id " + (b.build_id.empty() ? "none" : b.build_id) + ")";
        if (profile.modules.empty()) return path + ": a sancov profile with no module record (its process ran no instrumented code)";
        return path + ": a sancov profile of " + theirs + ", not of this build's binaries: " + mine;
    }
    for (auto [b, m] : ours)
        for (size_t i = 0; i < m->counts.size(); ++i) blocks[b->first_block + i] += m->counts[i];
    if (!foreign.empty())
        warnings.push_back(path + ": " + std::to_string(foreign.size()) + " module record(s) of binaries outside the build " +
                           "left out (first: " + describe_module(*foreign.front()) + ")");
    return "";
}

CoverageCounts SancovLayer::on_layout(const std::vector<uint64_t>& blocks) const {
    CoverageCounts counts = CoverageCounts::zeros(data_.layout);
    for (size_t i = 0; i < counts.lines.size(); ++i)
        for (uint32_t k = data_.line_begin[i]; k < data_.line_begin[i + 1]; ++k)
            counts.lines[i] = std::max(counts.lines[i], blocks[data_.line_blocks[k]]);
    for (size_t f = 0; f < counts.functions.size(); ++f) {
        uint64_t entered = 0, inlined = 0;
        for (uint32_t k = data_.entry_begin[f]; k < data_.entry_begin[f + 1]; ++k) entered += blocks[data_.entry_blocks[k]];
        for (uint32_t k = data_.inlined_begin[f]; k < data_.inlined_begin[f + 1]; ++k)
            inlined = std::max(inlined, blocks[data_.inlined_blocks[k]]);
        counts.functions[f] = entered + inlined;
    }
    return counts;
}

LayerReading SancovLayer::read(const std::vector<std::string>& profiles) const {
    LayerReading out;
    std::vector<uint64_t> blocks(data_.block_count, 0);
    for (const std::string& path : profiles) {
        std::string why = add_profile(path, blocks, out.warnings, false);
        if (why.empty()) out.read.push_back(path);
        else out.skipped.push_back({path, why});
    }
    std::sort(out.read.begin(), out.read.end());
    out.counts = on_layout(blocks);
    return out;
}

void SancovLayer::start_total(const std::string& total) const {
    if (fs::exists(total)) return;
    std::vector<ModuleCounts> modules;
    for (const Binary& b : data_.binaries) modules.push_back({b.build_id, b.path, b.file_size, std::vector<uint64_t>(b.blocks, 0)});
    write_sancov_total(total, modules);
}

LayerFold SancovLayer::fold(const std::string& total, const std::vector<std::string>& profiles) const {
    std::vector<uint64_t> blocks(data_.block_count, 0);
    std::vector<std::string> warnings;
    if (fs::exists(total)) {
        std::string why = add_profile(total, blocks, warnings, true);
        if (!why.empty()) throw UserError(why);
    }
    LayerFold out;
    for (const std::string& path : profiles) {
        std::string why = add_profile(path, blocks, warnings, false);
        if (why.empty()) out.folded.push_back(path);
        else out.skipped.push_back({path, why});
    }
    std::vector<ModuleCounts> modules;
    for (const Binary& b : data_.binaries)
        modules.push_back({b.build_id, b.path, b.file_size,
                           std::vector<uint64_t>(blocks.begin() + long(b.first_block),
                                                 blocks.begin() + long(b.first_block + b.blocks))});
    write_sancov_total(total, modules);  // a temporary file renamed over it: the old total or the new
    return out;
}

LayerReading SancovLayer::read_total(const std::string& total) const {
    LayerReading out;
    std::vector<uint64_t> blocks(data_.block_count, 0);
    if (fs::exists(total)) {
        std::string why = add_profile(total, blocks, out.warnings, true);
        if (!why.empty()) throw UserError(why);
        out.read = {total};
    }
    out.counts = on_layout(blocks);
    return out;
}

}  // namespace dlcov::sancov
