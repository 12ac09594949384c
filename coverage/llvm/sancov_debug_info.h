// What each SanitizerCoverage block of a binary runs, in source terms: the binary's pc-table
// (clang's -fsanitize-coverage=...,pc-table section __sancov_pcs: one entry per guard, in guard
// order, the function's address for its entry block, the block's address for the others) mapped
// to source lines and functions through the binary's debug information with LLVM's DWARF reader
// (llvm/DebugInfo/DWARF: the line table's rows and the DIEs' inlining chains, read as LLVM's
// symbolizer reads them, with the chains cached), once per binary. coverage/sancov/ builds its
// layout from this.
//
// A block runs the machine code from its address to the next block's address in its function
// (to the function's end, from the symbol table, for the last): every line-table row in that
// range that covers an instruction (a row followed by one at the same address covers none) is
// a source line the block runs, and every frame of the row's inlining chain (the inlined
// callee's line, the line of its call in the caller, ...) is a line of that frame's function.
// Frames of functions the compiler wrote are left out, as clang's source-based coverage leaves
// them out: functions marked DW_AT_artificial (implicit constructors, destructors, assignments)
// and the constructor and destructor variants other than the base-object one (C1, D0, D1: they
// call or inline the base-object variant C2/D2, which counts).
// So the lines of a binary are exactly the (file, line) pairs that its line table gives to some
// address inside an instrumented function of the source (line 0, "no source line", left out),
// and the lines of the call sites of the code inlined there.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dlcov {

struct SancovFunction {
    std::string file;     // absolute, as the debug information names it
    std::string name;     // linkage (mangled) name, or the plain name for C functions
    std::string display;  // demangled
    unsigned line = 0;    // of its declaration, 0 when unknown
};

// Block `block` runs line `line` of function `function` (an index into SancovObject::functions);
// `inlined`: in a copy of the function inlined into another (not the block's outermost frame).
struct SancovLineUse {
    uint32_t block = 0;
    uint32_t function = 0;
    unsigned line = 0;
    bool inlined = false;
};

struct SancovObject {
    std::string path;
    std::string build_id;  // hex of the GNU build id; "" when the binary has none
    uint64_t file_size = 0;
    size_t blocks = 0;  // pc-table entries = guards = counters in a profile's module record
    std::vector<SancovFunction> functions;
    std::vector<SancovLineUse> uses;
    // Per function entry block: the function (outermost frame) it enters.
    std::vector<SancovLineUse> entries;
};

// Reads a sancov-instrumented binary. UserError naming the file when it is not an ELF file,
// has no pc-table (not built with -fsanitize-coverage=...,pc-table), has an unrelocated one
// (linked with lld without --apply-dynamic-relocs), or has an instrumented function that no
// compile unit's line table covers (a source compiled without -g, or with -g0 after it).
SancovObject read_sancov_object(const std::string& path);

// The GNU build id of an ELF binary as hex, "" when it has none; UserError when unreadable.
std::string elf_build_id(const std::string& path);

}  // namespace dlcov
