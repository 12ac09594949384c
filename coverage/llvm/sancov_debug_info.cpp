#include "sancov_debug_info.h"

#include "error.h"

#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/Symbolize/Symbolize.h>
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
#include <unordered_set>
#include <unordered_map>

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

// Functions and source lines, each once, as they are found.
class SourceIndex {
public:
    explicit SourceIndex(SancovObject& out) : out_(out) {}

    uint32_t function(const llvm::DILineInfo& frame) {
        auto key = std::make_pair(frame.FileName, frame.FunctionName);
        auto [it, added] = functions_.try_emplace(key, uint32_t(out_.functions.size()));
        if (added) {
            SancovFunction f;
            f.file = frame.FileName;
            f.name = frame.FunctionName;
            f.display = llvm::demangle(frame.FunctionName);
            out_.functions.push_back(std::move(f));
        }
        // Its declaration's line when that is in the same file, else its first line seen.
        SancovFunction& f = out_.functions[it->second];
        if (frame.StartFileName == frame.FileName && frame.StartLine) f.line = frame.StartLine;
        else if (frame.StartFileName != frame.FileName && (!f.line || frame.Line < f.line)) f.line = frame.Line;
        return it->second;
    }

private:
    SancovObject& out_;
    std::map<std::pair<std::string, std::string>, uint32_t> functions_;
};

bool usable(const llvm::DILineInfo& frame) {
    return frame.Line && frame.FunctionName != llvm::DILineInfo::BadString &&
           frame.FileName != llvm::DILineInfo::BadString;
}

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
    bool of_source(const llvm::DILineInfo& frame) {
        auto [it, added] = verdicts_.try_emplace(frame.FunctionName, true);
        if (added) it->second = !artificial_.count(frame.FunctionName) && !derived_structor_variant(frame.FunctionName);
        return it->second;
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
    llvm::symbolize::LLVMSymbolizer::Options options;
    options.PrintFunctions = llvm::DINameKind::LinkageName;
    options.Demangle = false;  // linkage names identify instantiations; SourceIndex demangles for display
    options.PathStyle = llvm::DILineInfoSpecifier::FileLineInfoKind::AbsoluteFilePath;
    llvm::symbolize::LLVMSymbolizer symbolizer(options);
    SourceIndex index(out);
    SourceFunctions source_functions(*dwarf);
    // Every row of the line table in a range. (FileLineInfoKind::None would give only the row at
    // the range's start: getLineInfoForAddressRange then returns one entry.)
    const llvm::DILineInfoSpecifier all_rows(llvm::DILineInfoSpecifier::FileLineInfoKind::RawValue,
                                             llvm::DINameKind::None);
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
        if (!dwarf->getCompileUnitForAddress(function_start)) {
            without_lines.push_back(function_start);
            first = last;
            continue;
        }

        for (size_t k = 0; k < by_address.size(); ++k) {
            auto [address, block] = by_address[k];
            uint64_t end = k + 1 < by_address.size() ? by_address[k + 1].first : std::max(function_end, address + 1);
            std::vector<uint64_t> rows = {address};
            for (const auto& row : dwarf->getLineInfoForAddressRange({address, section}, end - address, all_rows))
                if (row.first != address) rows.push_back(row.first);
            for (uint64_t row : rows) {
                auto frames = symbolizer.symbolizeInlinedCode(path, {row, section});
                if (!frames) {
                    llvm::consumeError(frames.takeError());
                    continue;
                }
                for (uint32_t i = 0; i < frames->getNumberOfFrames(); ++i) {
                    const llvm::DILineInfo& frame = frames->getFrame(i);
                    if (!usable(frame) || !source_functions.of_source(frame)) continue;
                    out.uses.push_back({block, index.function(frame), frame.Line, i + 1 < frames->getNumberOfFrames()});
                }
            }
            if (table[block].function_entry) {
                auto frames = symbolizer.symbolizeInlinedCode(path, {address, section});
                if (!frames) {
                    llvm::consumeError(frames.takeError());
                } else if (uint32_t n = frames->getNumberOfFrames();
                           n && usable(frames->getFrame(n - 1)) && source_functions.of_source(frames->getFrame(n - 1))) {
                    out.entries.push_back({block, index.function(frames->getFrame(n - 1)), 0});
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
