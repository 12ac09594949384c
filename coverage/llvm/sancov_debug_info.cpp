#include "sancov_debug_info.h"

#include "error.h"

#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/Demangle/Demangle.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/Endian.h>
#include <llvm/Support/Error.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <unordered_map>
#include <unordered_set>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

constexpr const char* kPcTable = "__sancov_pcs";

std::string message(llvm::Error error) { return llvm::toString(std::move(error)); }

llvm::object::OwningBinary<llvm::object::ObjectFile> open_object(const std::string& path) {
    auto object = llvm::object::ObjectFile::createObjectFile(path);
    if (!object) throw UserError(path + ": not a binary LLVM can read: " + message(object.takeError()));
    return std::move(*object);
}

std::string hex(llvm::ArrayRef<uint8_t> bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

template <typename ELFT>
std::string build_id_of(const llvm::object::ELFFile<ELFT>& elf) {
    auto sections = elf.sections();
    if (!sections) return "";
    for (const auto& section : *sections) {
        if (section.sh_type != llvm::ELF::SHT_NOTE) continue;
        llvm::Error error = llvm::Error::success();
        for (const auto& note : elf.notes(section, error))
            if (note.getType() == llvm::ELF::NT_GNU_BUILD_ID && note.getName() == "GNU") {
                llvm::consumeError(std::move(error));
                return hex(note.getDesc());
            }
        llvm::consumeError(std::move(error));
    }
    return "";
}

std::string build_id_of(const llvm::object::ObjectFile& object) {
    if (const auto* elf = llvm::dyn_cast<llvm::object::ELF64LEObjectFile>(&object)) return build_id_of(elf->getELFFile());
    if (const auto* elf = llvm::dyn_cast<llvm::object::ELF32LEObjectFile>(&object)) return build_id_of(elf->getELFFile());
    return "";
}

struct PcEntry {
    uint64_t address;
    bool function_entry;
};

std::vector<PcEntry> pc_table(const std::string& path, const llvm::object::ObjectFile& object) {
    if (object.getBytesInAddress() != 8) throw UserError(path + ": only 64-bit binaries are read in sancov mode");
    for (const auto& section : object.sections()) {
        auto name = section.getName();
        if (!name || *name != kPcTable) {
            if (!name) llvm::consumeError(name.takeError());
            continue;
        }
        auto contents = section.getContents();
        if (!contents) throw UserError(path + ": cannot read its " + kPcTable + " section: " + message(contents.takeError()));
        if (contents->size() % 16)
            throw UserError(path + ": its " + kPcTable + " section has " + std::to_string(contents->size()) +
                            " bytes, not a whole number of (pc, flags) pairs");
        std::vector<PcEntry> table;
        bool any_address = false;
        for (size_t at = 0; at < contents->size(); at += 16) {
            uint64_t pc = llvm::support::endian::read64le(contents->data() + at);
            uint64_t flags = llvm::support::endian::read64le(contents->data() + at + 8);
            table.push_back({pc, (flags & 1) != 0});
            any_address = any_address || pc;
        }
        if (!table.empty() && !any_address)
            throw UserError(path + ": its pc-table holds no addresses (linked with lld? link with GNU ld, or with lld "
                                   "and -Wl,--apply-dynamic-relocs)");
        return table;
    }
    throw UserError(path + ": has no SanitizerCoverage pc-table (" + kPcTable +
                    "); build it with -fsanitize-coverage=trace-pc-guard,pc-table (dlcov's sancov mode)");
}

// Function symbols by address, from the symbol table: where a function's last block ends, and
// its name for messages.
struct FunctionSymbol {
    uint64_t size = 0;
    std::string name;
};

std::map<uint64_t, FunctionSymbol> function_symbols(const llvm::object::ObjectFile& object) {
    std::map<uint64_t, FunctionSymbol> symbols;
    for (const llvm::object::ELFSymbolRef symbol : object.symbols()) {
        auto type = symbol.getType();
        auto address = symbol.getAddress();
        auto name = symbol.getName();
        if (!type || !address || !name) {
            if (!type) llvm::consumeError(type.takeError());
            if (!address) llvm::consumeError(address.takeError());
            if (!name) llvm::consumeError(name.takeError());
            continue;
        }
        if (*type != llvm::object::SymbolRef::ST_Function || !symbol.getSize()) continue;
        FunctionSymbol& f = symbols[*address];
        if (symbol.getSize() > f.size) f = {symbol.getSize(), name->str()};
    }
    return symbols;
}

uint64_t text_section_index(const llvm::object::ObjectFile& object, uint64_t address) {
    for (const auto& section : object.sections())
        if (section.isText() && address >= section.getAddress() && address < section.getAddress() + section.getSize())
            return section.getIndex();
    return llvm::object::SectionedAddress::UndefSection;
}

// One frame of an address's inlining chain: the function, its declaration, and the source line
// the address runs in it (for an inlined callee's caller, the line of the call).
struct Frame {
    std::string name;       // linkage name, or the plain name (C); "" when the DIE has none
    std::string file;       // of `line`, absolute
    unsigned line = 0;
    std::string decl_file;  // of the function's declaration
    unsigned decl_line = 0;
    // SourceIndex's index of (file, name) for the file at `indexed_file` (file_name()'s strings
    // stay put), and whether the function is the source's (-1: not asked yet).
    const std::string* indexed_file = nullptr;
    uint32_t index = 0;
    int of_source = -1;
};

// The frames of addresses, from the DIEs of their inlining chain (as DWARFContext::
// getInliningInfoForAddress gives them, names as in the debug information: linkage names),
// cached per innermost DIE: the chain's names, declarations and call lines are the same for
// every address in it. The innermost frame's line and file are left for the caller (the row's).
class InliningChains {
public:
    std::vector<Frame>& of(llvm::DWARFCompileUnit& unit, const llvm::DWARFDebugLine::LineTable& lines,
                                 uint64_t address) {
        llvm::SmallVector<llvm::DWARFDie, 4> chain;
        unit.getInlinedChainForAddress(address, chain);
        if (chain.empty()) return none_;
        auto [it, added] = chains_.try_emplace(chain.front().getOffset());
        if (!added) return it->second;
        std::vector<Frame>& frames = it->second;
        uint32_t call_file = 0, call_line = 0, call_column = 0, call_discriminator = 0;
        for (size_t i = 0; i < chain.size(); ++i) {
            const llvm::DWARFDie& die = chain[i];
            Frame frame;
            if (const char* name = die.getSubroutineName(llvm::DINameKind::LinkageName)) frame.name = name;
            frame.decl_line = unsigned(die.getDeclLine());
            frame.decl_file = die.getDeclFile(kAbsolute);
            if (i > 0) {  // the previous (inner) frame's call is this frame's line
                frame.file = file_name(unit, lines, call_file);
                frame.line = call_line;
            }
            if (i + 1 < chain.size()) die.getCallerFrame(call_file, call_line, call_column, call_discriminator);
            frames.push_back(std::move(frame));
        }
        return frames;
    }

    const std::string& file_name(llvm::DWARFCompileUnit& unit, const llvm::DWARFDebugLine::LineTable& lines,
                                 uint64_t index) {
        auto [it, added] = files_.try_emplace({&lines, index});
        if (added && !lines.getFileNameByIndex(index, unit.getCompilationDir(), kAbsolute, it->second))
            it->second.clear();
        return it->second;
    }

private:
    static constexpr auto kAbsolute = llvm::DILineInfoSpecifier::FileLineInfoKind::AbsoluteFilePath;
    std::unordered_map<uint64_t, std::vector<Frame>> chains_;
    std::map<std::pair<const void*, uint64_t>, std::string> files_;
    std::vector<Frame> none_;
};

// Functions and source lines, each once, as they are found.
class SourceIndex {
public:
    explicit SourceIndex(SancovObject& out) : out_(out) {}

    // The function of `frame` running `line` of `file`.
    uint32_t function(Frame& frame, const std::string& file, unsigned line) {
        if (frame.indexed_file != &file) {
            auto [it, added] = functions_.try_emplace(std::make_pair(file, frame.name), uint32_t(out_.functions.size()));
            if (added) {
                SancovFunction f;
                f.file = file;
                f.name = frame.name;
                f.display = llvm::demangle(frame.name);
                out_.functions.push_back(std::move(f));
            }
            frame.indexed_file = &file;
            frame.index = it->second;
        }
        // Its declaration's line when that is in the same file, else its first line seen.
        SancovFunction& f = out_.functions[frame.index];
        if (frame.decl_file == file && frame.decl_line) f.line = frame.decl_line;
        else if (frame.decl_file != file && (!f.line || line < f.line)) f.line = line;
        return frame.index;
    }

private:
    SancovObject& out_;
    std::map<std::pair<std::string, std::string>, uint32_t> functions_;
};

// Linkage names of the functions the compiler wrote, not the source: DW_AT_artificial on the
// subprogram or its declaration (implicit constructors, destructors and assignments, a lambda's
// conversion to a function pointer). clang's source-based coverage maps none of them.
std::unordered_set<std::string> artificial_functions(llvm::DWARFContext& dwarf) {
    std::unordered_set<std::string> out;
    for (const auto& unit : dwarf.compile_units())
        for (const llvm::DWARFDebugInfoEntry& entry : unit->dies()) {
            llvm::DWARFDie die(unit.get(), &entry);
            if (die.getTag() != llvm::dwarf::DW_TAG_subprogram || !die.findRecursively(llvm::dwarf::DW_AT_artificial))
                continue;
            if (const char* name = die.getName(llvm::DINameKind::LinkageName)) out.insert(name);
        }
    return out;
}

// A constructor or destructor other than the base-object one (C1, C3, D0, D1): clang's coverage
// counts the base-object variant (C2, D2) only, which the others call or inline.
bool derived_structor_variant(const std::string& name) {
    llvm::ItaniumPartialDemangler demangler;
    if (demangler.partialDemangle(name.c_str()) || !demangler.isCtorOrDtor()) return false;
    static const std::regex variant("(C1|C3|CI1|D0|D1)[EI]");
    return std::regex_search(name, variant);
}

// Frames of the source's own functions count; the compiler's are left out.
class SourceFunctions {
public:
    explicit SourceFunctions(llvm::DWARFContext& dwarf) : artificial_(artificial_functions(dwarf)) {}
    bool of_source(Frame& frame) {
        if (frame.of_source < 0) {
            auto [it, added] = verdicts_.try_emplace(frame.name, true);
            if (added) it->second = !artificial_.count(frame.name) && !derived_structor_variant(frame.name);
            frame.of_source = it->second;
        }
        return frame.of_source;
    }

private:
    std::unordered_set<std::string> artificial_;
    std::unordered_map<std::string, bool> verdicts_;
};

}  // namespace

std::string elf_build_id(const std::string& path) {
    auto binary = open_object(path);
    return build_id_of(*binary.getBinary());
}

SancovObject read_sancov_object(const std::string& path) {
    auto binary = open_object(path);
    const llvm::object::ObjectFile& object = *binary.getBinary();
    SancovObject out;
    out.path = path;
    out.build_id = build_id_of(object);
    std::error_code ec;
    out.file_size = fs::file_size(path, ec);
    std::vector<PcEntry> table = pc_table(path, object);
    out.blocks = table.size();
    std::map<uint64_t, FunctionSymbol> symbols = function_symbols(object);

    std::unique_ptr<llvm::DWARFContext> dwarf = llvm::DWARFContext::create(object);
    SourceIndex index(out);
    SourceFunctions source_functions(*dwarf);
    InliningChains chains;
    size_t functions = 0;
    std::vector<uint64_t> without_lines;  // entry addresses of instrumented functions no line table covers

    // One function's blocks at a time: an entry block and the blocks after it in the table.
    for (size_t first = 0; first < table.size();) {
        size_t last = first + 1;
        while (last < table.size() && !table[last].function_entry) ++last;
        std::vector<std::pair<uint64_t, uint32_t>> by_address;  // (address, block)
        for (size_t b = first; b < last; ++b) by_address.emplace_back(table[b].address, uint32_t(b));
        std::sort(by_address.begin(), by_address.end());
        uint64_t function_start = table[first].address;
        auto symbol = symbols.find(function_start);
        uint64_t function_end =
            symbol != symbols.end() ? function_start + symbol->second.size : by_address.back().first + 1;
        uint64_t section = text_section_index(object, function_start);
        ++functions;
        llvm::DWARFCompileUnit* unit = dwarf->getCompileUnitForAddress(function_start);
        const llvm::DWARFDebugLine::LineTable* lines = unit ? dwarf->getLineTableForUnit(unit) : nullptr;
        if (!lines) {
            without_lines.push_back(function_start);
            first = last;
            continue;
        }

        for (size_t k = 0; k < by_address.size(); ++k) {
            auto [address, block] = by_address[k];
            uint64_t end = k + 1 < by_address.size() ? by_address[k + 1].first : std::max(function_end, address + 1);
            // The row that holds the block's first instruction, and every row that starts in the block.
            std::vector<uint32_t> rows;
            uint32_t at = lines->lookupAddress({address, section});
            if (at != lines->UnknownRowIndex) rows.push_back(at);
            std::vector<uint32_t> in_range;
            if (lines->lookupAddressRange({address, section}, end - address, in_range))
                for (uint32_t r : in_range)
                    if (r != at) rows.push_back(r);
            for (uint32_t r : rows) {
                const llvm::DWARFDebugLine::Row& row = lines->Rows[r];
                // A row followed by one at the same address gives its line to no instruction.
                if (!row.EndSequence && r + 1 < lines->Rows.size() &&
                    lines->Rows[r + 1].Address.Address == row.Address.Address)
                    continue;
                std::vector<Frame>& frames = chains.of(*unit, *lines, row.Address.Address);
                for (size_t i = 0; i < frames.size(); ++i) {
                    // The innermost frame's line is the row's; the others' are the calls' (cached).
                    Frame& frame = frames[i];
                    const std::string& file = i ? frame.file : chains.file_name(*unit, *lines, row.File);
                    unsigned line = i ? frame.line : row.Line;
                    if (!line || frame.name.empty() || file.empty() || !source_functions.of_source(frame)) continue;
                    out.uses.push_back({block, index.function(frame, file, line), line, i + 1 < frames.size()});
                }
            }
            if (table[block].function_entry && at != lines->UnknownRowIndex) {
                const llvm::DWARFDebugLine::Row& row = lines->Rows[at];
                std::vector<Frame>& frames = chains.of(*unit, *lines, address);
                if (!frames.empty()) {
                    Frame& outermost = frames.back();
                    bool only = frames.size() == 1;
                    const std::string& file = only ? chains.file_name(*unit, *lines, row.File) : outermost.file;
                    unsigned line = only ? row.Line : outermost.line;
                    if (line && !outermost.name.empty() && !file.empty() && source_functions.of_source(outermost))
                        out.entries.push_back({block, index.function(outermost, file, line), 0});
                }
            }
        }
        first = last;
    }
    if (!without_lines.empty()) {
        auto symbol = symbols.find(without_lines.front());
        char at[32];
        std::snprintf(at, sizeof at, "0x%llx", static_cast<unsigned long long>(without_lines.front()));
        throw UserError(path + ": " + std::to_string(without_lines.size()) + " of its " + std::to_string(functions) +
                        " instrumented functions have no line table (first: " +
                        (symbol != symbols.end() ? llvm::demangle(symbol->second.name) + " at " : std::string()) + at +
                        "); sancov mode maps blocks to source lines through the debug information: compile every "
                        "instrumented source with -g (not -g0)");
    }
    // Each (block, function, line, inlined) once.
    auto order = [](const SancovLineUse& a, const SancovLineUse& b) {
        return std::tie(a.block, a.function, a.line, a.inlined) < std::tie(b.block, b.function, b.line, b.inlined);
    };
    auto same = [](const SancovLineUse& a, const SancovLineUse& b) {
        return a.block == b.block && a.function == b.function && a.line == b.line && a.inlined == b.inlined;
    };
    std::sort(out.uses.begin(), out.uses.end(), order);
    out.uses.erase(std::unique(out.uses.begin(), out.uses.end(), same), out.uses.end());
    return out;
}

}  // namespace dlcov
