#include "sancov_layer.h"

#include "error.h"
#include "sancov_debug_info.h"
#include "sancov_profile.h"

#include <algorithm>
#include <filesystem>
#include <map>
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

}  // namespace

SancovLayer::SancovLayer(std::vector<std::string> objects, std::string source_root)
    : source_root_(std::move(source_root)) {
    std::map<FunctionKey, FunctionBlocks> functions;
    for (const std::string& path : objects) {
        if (!fs::is_regular_file(path)) throw UserError(path + ": the build's binary is missing; run `dlcov instrument` again");
        SancovObject object = read_sancov_object(path);
        Binary binary{path, object.build_id, object.file_size, object.blocks, block_count_};
        for (const Binary& other : binaries_)
            if (!binary.build_id.empty() && other.build_id == binary.build_id)
                throw UserError(path + " and " + other.path + " are the same binary (build id " + binary.build_id + ")");
        binaries_.push_back(binary);
        std::vector<FunctionBlocks*> local;
        for (const SancovFunction& f : object.functions) {
            FunctionBlocks& fb = functions[{f.file, f.name}];
            if (fb.display.empty()) fb.display = f.display;
            if (f.line && (!fb.line || f.line < fb.line)) fb.line = f.line;
            local.push_back(&fb);
        }
        for (const SancovLineUse& use : object.uses) {
            local[use.function]->lines[use.line].push_back(uint32_t(block_count_ + use.block));
            if (use.inlined) local[use.function]->inlined.push_back(uint32_t(block_count_ + use.block));
        }
        for (const SancovLineUse& entry : object.entries)
            local[entry.function]->entries.push_back(uint32_t(block_count_ + entry.block));
        block_count_ += object.blocks;
        if (block_count_ > UINT32_MAX) throw UserError("more than 2^32 sancov blocks in one build");
    }

    // Files sorted by path; in a file, definitions by line, instantiations by name.
    std::map<std::string, std::map<unsigned, std::vector<std::pair<std::string, FunctionBlocks*>>>> by_file;
    for (auto& [key, fb] : functions) {
        unsigned line = fb.line ? fb.line : (fb.lines.empty() ? 0 : fb.lines.begin()->first);
        by_file[key.first][line].emplace_back(key.second, &fb);
    }
    line_begin_.push_back(0);
    entry_begin_.push_back(0);
    inlined_begin_.push_back(0);
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
                inst.first_line = layout_.line_numbers.size();
                for (auto& [number, blocks] : fb->lines) {
                    layout_.line_numbers.push_back(number);
                    std::sort(blocks.begin(), blocks.end());
                    blocks.erase(std::unique(blocks.begin(), blocks.end()), blocks.end());
                    line_blocks_.insert(line_blocks_.end(), blocks.begin(), blocks.end());
                    line_begin_.push_back(uint32_t(line_blocks_.size()));
                }
                inst.line_count = layout_.line_numbers.size() - inst.first_line;
                inst.first_branch = layout_.branch_lines.size();
                inst.function_index = layout_.function_items++;
                entry_blocks_.insert(entry_blocks_.end(), fb->entries.begin(), fb->entries.end());
                entry_begin_.push_back(uint32_t(entry_blocks_.size()));
                std::sort(fb->inlined.begin(), fb->inlined.end());
                fb->inlined.erase(std::unique(fb->inlined.begin(), fb->inlined.end()), fb->inlined.end());
                inlined_blocks_.insert(inlined_blocks_.end(), fb->inlined.begin(), fb->inlined.end());
                inlined_begin_.push_back(uint32_t(inlined_blocks_.size()));
                fn.instantiations.push_back(std::move(inst));
            }
            file.functions.push_back(std::move(fn));
        }
        layout_.files.push_back(std::move(file));
    }
}

// A running total is read like a profile (`dlcov report` measures a trial's profiles/ folder, which
// holds the total alone).
bool SancovLayer::recognises(const std::string& path) const {
    return is_sancov_profile_name(path) || fs::path(path).filename() == total_name();
}

const SancovLayer::Binary* SancovLayer::binary_of(const std::string& build_id, const std::string& path,
                                                  uint64_t size) const {
    for (const Binary& b : binaries_) {
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
        for (const Binary& b : binaries_)
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
    CoverageCounts counts = CoverageCounts::zeros(layout_);
    for (size_t i = 0; i < counts.lines.size(); ++i)
        for (uint32_t k = line_begin_[i]; k < line_begin_[i + 1]; ++k)
            counts.lines[i] = std::max(counts.lines[i], blocks[line_blocks_[k]]);
    for (size_t f = 0; f < counts.functions.size(); ++f) {
        uint64_t entered = 0, inlined = 0;
        for (uint32_t k = entry_begin_[f]; k < entry_begin_[f + 1]; ++k) entered += blocks[entry_blocks_[k]];
        for (uint32_t k = inlined_begin_[f]; k < inlined_begin_[f + 1]; ++k)
            inlined = std::max(inlined, blocks[inlined_blocks_[k]]);
        counts.functions[f] = entered + inlined;
    }
    return counts;
}

LayerReading SancovLayer::read(const std::vector<std::string>& profiles) const {
    LayerReading out;
    std::vector<uint64_t> blocks(block_count_, 0);
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
    for (const Binary& b : binaries_) modules.push_back({b.build_id, b.path, b.file_size, std::vector<uint64_t>(b.blocks, 0)});
    write_sancov_total(total, modules);
}

LayerFold SancovLayer::fold(const std::string& total, const std::vector<std::string>& profiles) const {
    std::vector<uint64_t> blocks(block_count_, 0);
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
    for (const Binary& b : binaries_)
        modules.push_back({b.build_id, b.path, b.file_size,
                           std::vector<uint64_t>(blocks.begin() + long(b.first_block),
                                                 blocks.begin() + long(b.first_block + b.blocks))});
    write_sancov_total(total, modules);  // a temporary file renamed over it: the old total or the new
    return out;
}

LayerReading SancovLayer::read_total(const std::string& total) const {
    LayerReading out;
    std::vector<uint64_t> blocks(block_count_, 0);
    if (fs::exists(total)) {
        std::string why = add_profile(total, blocks, out.warnings, true);
        if (!why.empty()) throw UserError(why);
        out.read = {total};
    }
    out.counts = on_layout(blocks);
    return out;
}

}  // namespace dlcov::sancov
