// sancov mode on a real program the test compiles (tests/fixtures/sancov/program.cpp) with the
// flags `dlcov instrument` uses and dlcov's runtime: the lines and functions each run must have
// covered, the layout's lines against the line table as GNU objdump decodes it, the same lines as
// llvm mode on the same program, a SIGKILLed process's coverage, a forked child's own profile,
// running totals, foreign, corrupt and cut-short profiles and binaries without line tables
// refused with a reason that names them, and the layout cache (served only for the same binaries,
// a damaged one derived again and replaced).
#include "coverage_flags.h"
#include "llvm_layer.h"
#include "profile_merge.h"
#include "sancov_debug_info.h"
#include "sancov_layer.h"
#include "sancov_layout_cache.h"
#include "sancov_profile.h"
#include "test_support.h"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::test;
using Catch::Matchers::Contains;

namespace {

const std::string kSource = std::string(DLCOV_SOURCE_DIR) + "/tests/fixtures/sancov/program.cpp";

std::string sancov_compile(const std::string& source, const std::string& out, const std::string& extra = "-O0") {
    std::string cmd = "clang++-14";
    for (const auto& flag : coverage_flags("sancov")) cmd += " " + shell_quote(flag);
    return cmd + " " + extra + " " + shell_quote(source) + " -o " + shell_quote(out);
}

struct Fixture {
    std::string dir, program, other, llvm_program;
};

const Fixture& fixture() {
    static Fixture f = [] {
        Fixture x;
        x.dir = scratch_dir("sancov");
        x.program = x.dir + "/program";
        x.other = x.dir + "/other";
        x.llvm_program = x.dir + "/program-llvm";
        must_run(sancov_compile(kSource, x.program));
        must_run(sancov_compile(std::string(DLCOV_SOURCE_DIR) + "/tests/fixtures/sancov/other.cpp", x.other));
        std::string llvm = "clang++-14";
        for (const auto& flag : coverage_flags("llvm")) llvm += " " + flag;
        must_run(llvm + " -O0 " + shell_quote(kSource) + " -o " + shell_quote(x.llvm_program));
        return x;
    }();
    return f;
}

// Runs the program with DLCOV_SANCOV_FILE in a fresh folder; the profiles it wrote.
std::vector<std::string> run_sancov(const std::string& program, const std::string& args, const std::string& name) {
    std::string folder = fixture().dir + "/" + name;
    fs::remove_all(folder);
    fs::create_directories(folder);
    must_run("DLCOV_SANCOV_FILE=" + shell_quote(folder + "/run-%p.sancov") + " " + shell_quote(program) + " " + args);
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(folder)) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

// The lines the fixture marks "ran: MODE" (want true) and "not: MODE" (want false).
std::map<unsigned, bool> marked_lines(const std::string& mode) {
    std::map<unsigned, bool> out;
    std::ifstream in(kSource);
    std::string line;
    for (unsigned n = 1; std::getline(in, line); ++n) {
        if (line.find("// ran: " + mode) != std::string::npos) out[n] = true;
        if (line.find("// not: " + mode) != std::string::npos) out[n] = false;
    }
    return out;
}

// Per line of the fixture's source: covered (some line item of it ran).
std::map<unsigned, bool> source_lines(const CoverageLayout& layout, const CoverageCounts& counts) {
    std::map<unsigned, bool> out;
    for (const auto& file : layout.files) {
        if (fs::path(file.path).filename() != "program.cpp") continue;
        for (const auto& fn : file.functions)
            for (const auto& inst : fn.instantiations)
                for (size_t i = inst.first_line; i < inst.first_line + inst.line_count; ++i)
                    out[layout.line_numbers[i]] = out[layout.line_numbers[i]] || counts.lines[i] > 0;
    }
    return out;
}

// Instantiation count by demangled-name prefix ("classify", "twice<int>").
std::map<std::string, uint64_t> function_counts(const sancov::SancovLayer& layer, const CoverageCounts& counts) {
    std::map<std::string, uint64_t> out;
    for (const auto& file : layer.layout().files)
        for (const auto& fn : file.functions)
            for (const auto& inst : fn.instantiations) {
                std::string name = inst.name;
                static const std::map<std::string, std::string> known = {
                    {"_Z5twiceIiET_S0_", "twice<int>"}, {"_Z5twiceIdET_S0_", "twice<double>"},
                    {"_Z8classifyi", "classify"},        {"_Z12never_calledi", "never_called"},
                    {"_Z19reached_before_killv", "reached_before_kill"}, {"_Z13in_child_onlyi", "in_child_only"},
                    {"main", "main"}};
                if (auto k = known.find(name); k != known.end()) out[k->second] = counts.functions[inst.function_index];
            }
    return out;
}

void check_marks(const std::map<unsigned, bool>& lines, const std::string& mode) {
    for (auto [line, want] : marked_lines(mode)) {
        INFO("program.cpp:" << line << " should be " << (want ? "covered" : "not covered") << " after a run in mode " << mode);
        REQUIRE(lines.count(line));
        CHECK(lines.at(line) == want);
    }
}

}  // namespace

TEST_CASE("sancov: a run covers the lines and functions it ran, with exact call counts", "[sancov]") {
    const Fixture& f = fixture();
    sancov::SancovLayer layer({f.program}, f.dir);
    CHECK(layer.layout().branch_lines.empty());  // sancov gives no branches
    auto profiles = run_sancov(f.program, "plain", "plain");
    REQUIRE(profiles.size() == 1);
    CHECK_THAT(profiles[0], Contains("/run-"));
    LayerReading r = layer.read(profiles);
    REQUIRE(r.skipped.empty());
    CHECK(r.read == profiles);
    check_marks(source_lines(layer.layout(), r.counts), "plain");
    auto calls = function_counts(layer, r.counts);
    CHECK(calls.at("main") == 1);
    CHECK(calls.at("classify") == 1);
    CHECK(calls.at("twice<int>") == 1);
    CHECK(calls.at("twice<double>") == 0);
    CHECK(calls.at("never_called") == 0);

    // Three runs add up; a total folded from them reads the same as the profiles.
    auto more = run_sancov(f.program, "a b", "plain-more");
    auto both = profiles;
    both.insert(both.end(), more.begin(), more.end());
    LayerReading sum = layer.read(both);
    CHECK(function_counts(layer, sum.counts).at("classify") == 2);
    std::string total = f.dir + "/" + layer.total_name();
    fs::remove(total);
    layer.start_total(total);
    CHECK(layer.read_total(total).counts.lines == CoverageCounts::zeros(layer.layout()).lines);
    LayerFold one = layer.fold(total, profiles);
    CHECK(one.folded == profiles);
    layer.fold(total, more);
    LayerReading from_total = layer.read_total(total);
    CHECK(from_total.counts.lines == sum.counts.lines);
    CHECK(from_total.counts.functions == sum.counts.functions);
    // A trial's profiles/ folder holds the total alone: it is read as a profile, too.
    CHECK(layer.recognises(total));
    LayerReading total_as_profile = layer.read({total});
    CHECK(total_as_profile.skipped.empty());
    CHECK(total_as_profile.counts.lines == sum.counts.lines);
}

namespace {

// The fixture's source lines the binary's line table gives an instruction (GNU objdump's decoded
// line table, not LLVM's reader: a row followed by one at the same address covers no byte), and
// the lines of its calls that were inlined (llvm-dwarfdump: DW_AT_call_line of the inlined
// subroutines whose call is in the fixture's source).
std::set<unsigned> line_table_lines(const std::string& binary) {
    std::set<unsigned> out;
    std::istringstream rows(must_run("objdump --dwarf=decodedline --wide " + shell_quote(binary)).output);
    // objdump names the file relative to the compile directory: the binary has one program.cpp.
    static const std::regex row("^(\\S+)\\s+([0-9]+|-)\\s+(0x[0-9a-f]+)(\\s.*)?$");
    static const std::regex ours("^(.*/)?program\\.cpp$");
    struct Pending {
        bool ours = false;
        unsigned line = 0;
        unsigned long long address = 0;
    };
    std::optional<Pending> pending;  // the row before, in its sequence ("-" ends a sequence)
    std::smatch m;
    for (std::string text; std::getline(rows, text);) {
        if (!std::regex_match(text, m, row)) continue;
        unsigned long long address = std::stoull(m[3], nullptr, 16);
        if (pending && address > pending->address && pending->ours && pending->line) out.insert(pending->line);
        if (m[2] == "-") pending.reset();
        else pending = Pending{std::regex_match(m[1].str(), ours), unsigned(std::stoul(m[2])), address};
    }
    return out;
}

std::set<unsigned> inlined_call_lines(const std::string& binary) {
    std::set<unsigned> out;
    std::istringstream info(must_run("llvm-dwarfdump-14 --debug-info " + shell_quote(binary)).output);
    static const std::regex file("^\\s+DW_AT_call_file\\s+\\(\"(.*)\"\\)$"), line("^\\s+DW_AT_call_line\\s+\\(([0-9]+)\\)$");
    std::smatch m;
    bool ours = false;
    for (std::string text; std::getline(info, text);) {
        if (std::regex_match(text, m, file)) ours = m[1] == kSource;
        else if (std::regex_match(text, m, line) && ours) out.insert(unsigned(std::stoul(m[1])));
    }
    return out;
}

std::set<unsigned> layout_lines(const sancov::SancovLayer& layer) {
    std::set<unsigned> out;
    for (auto [line, covered] : source_lines(layer.layout(), CoverageCounts::zeros(layer.layout()))) out.insert(line);
    return out;
}

}  // namespace

TEST_CASE("sancov: covered lines agree with llvm mode's on the lines both modes know", "[sancov]") {
    const Fixture& f = fixture();
    sancov::SancovLayer layer({f.program}, f.dir);
    auto sancov_lines = source_lines(layer.layout(), layer.read(run_sancov(f.program, "plain", "agree")).counts);

    std::string llvm_dir = f.dir + "/agree-llvm";
    fs::remove_all(llvm_dir);
    fs::create_directories(llvm_dir);
    must_run("LLVM_PROFILE_FILE=" + shell_quote(llvm_dir + "/%p%c.profraw") + " " + shell_quote(f.llvm_program) + " plain");
    LlvmLayer llvm = LlvmLayer::laid_out_by({f.llvm_program}, {llvm_dir}, f.dir);
    auto llvm_lines = source_lines(llvm.layout(), llvm.read(expand_profile_paths({llvm_dir})).counts);

    size_t both = 0;
    for (auto [line, covered] : sancov_lines) {
        auto other = llvm_lines.find(line);
        if (other == llvm_lines.end()) continue;
        ++both;
        INFO("program.cpp:" << line << ": sancov says " << covered << ", llvm mode " << other->second);
        CHECK(covered == other->second);
    }
    CHECK(both >= 20);  // nearly every line of the program has code in both modes
    // A line only llvm mode knows is one the line table gives no code: a closing brace (of a
    // block, or of a function that ends in a return: its epilogue has the return's line).
    std::set<unsigned> rows = line_table_lines(f.program);
    std::vector<std::string> source = {""};
    std::istringstream text(read_file(kSource));
    for (std::string line; std::getline(text, line);) source.push_back(std::regex_replace(line, std::regex("\\s"), ""));
    size_t only_llvm = 0;
    for (auto [line, covered] : llvm_lines)
        if (!sancov_lines.count(line)) {
            ++only_llvm;
            INFO("program.cpp:" << line << " is only in llvm mode's layout");
            CHECK(!rows.count(line));
            CHECK(source.at(line) == "}");
        }
    CHECK(only_llvm >= 2);  // lines 12 and 51 at least
    for (auto [line, covered] : sancov_lines) {
        INFO("program.cpp:" << line << " is only in sancov mode's layout");
        CHECK(llvm_lines.count(line));
    }
}

TEST_CASE("sancov: the lines of a binary are the lines its debug information gives instrumented code", "[sancov]") {
    const Fixture& f = fixture();
    // -O0: no inlining; the lines are the line table's, calls and returns included (a block
    // covers the rows from its address to the next block's, not only the row at its address).
    std::set<unsigned> rows = line_table_lines(f.program);
    CHECK(rows.size() >= 25);
    CHECK(rows.count(11));  // `return x + x;`: no block starts there
    CHECK(rows.count(26));  // a call of printf
    CHECK(layout_lines(sancov::SancovLayer({f.program}, f.dir)) == rows);

    // -O1: the rows, and the lines of the calls inlined (their code has the callee's lines).
    std::string optimised = f.dir + "/program-O1";
    must_run(sancov_compile(kSource, optimised, "-O1"));
    std::set<unsigned> want = line_table_lines(optimised), calls = inlined_call_lines(optimised);
    CHECK(!calls.empty());
    want.insert(calls.begin(), calls.end());
    CHECK(layout_lines(sancov::SancovLayer({optimised}, f.dir)) == want);
}

TEST_CASE("sancov: a SIGKILLed process keeps what it covered", "[sancov]") {
    const Fixture& f = fixture();
    std::string folder = f.dir + "/killed";
    fs::remove_all(folder);
    fs::create_directories(folder);
    std::string log = folder + "/log.txt";
    setenv("DLCOV_SANCOV_FILE", (folder + "/run-%p.sancov").c_str(), 1);
    pid_t pid = spawn_logged({f.program, "hang"}, log);
    unsetenv("DLCOV_SANCOV_FILE");
    for (int i = 0; i < 200 && read_file(log).find("ready") == std::string::npos; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE_THAT(read_file(log), Contains("ready"));
    kill(pid, SIGKILL);
    CHECK(wait_exit_code(pid) == 128 + SIGKILL);

    sancov::SancovLayer layer({f.program}, f.dir);
    std::string profile = folder + "/run-" + std::to_string(pid) + ".sancov";
    LayerReading r = layer.read({profile});
    REQUIRE(r.skipped.empty());
    check_marks(source_lines(layer.layout(), r.counts), "hang");
    CHECK(function_counts(layer, r.counts).at("reached_before_kill") == 1);
}

TEST_CASE("sancov: a forked child writes its own profile", "[sancov]") {
    const Fixture& f = fixture();
    auto profiles = run_sancov(f.program, "fork", "fork");
    REQUIRE(profiles.size() == 2);
    sancov::SancovLayer layer({f.program}, f.dir);
    std::map<std::string, uint64_t> parent, child;
    for (const auto& p : profiles) {
        auto calls = function_counts(layer, layer.read({p}).counts);
        (calls.at("main") ? parent : child) = calls;
    }
    REQUIRE(!parent.empty());
    REQUIRE(!child.empty());
    CHECK(parent.at("in_child_only") == 0);
    CHECK(child.at("in_child_only") == 1);
    CHECK(child.at("classify") == 0);  // counted before the fork: the parent's
}

TEST_CASE("sancov: foreign, corrupt and cut-short profiles are refused with a reason", "[sancov]") {
    const Fixture& f = fixture();
    sancov::SancovLayer layer({f.program}, f.dir);
    std::string foreign = run_sancov(f.other, "", "foreign").at(0);
    std::string good = run_sancov(f.program, "plain", "corrupt").at(0);
    std::string dir = fs::path(good).parent_path().string();

    std::string garbage = dir + "/garbage-1.sancov";
    write_file(garbage, "this is not a profile\n");
    std::string cut = dir + "/cut-2.sancov";
    std::string bytes = read_file(good);
    write_file(cut, bytes.substr(0, 4096 + 4096 + 10));  // inside the counters
    std::string version = dir + "/version-3.sancov";
    std::string v = bytes;
    v[8] = 9;
    write_file(version, v);

    LayerReading r = layer.read({good, foreign, garbage, cut, version});
    CHECK(r.read == std::vector<std::string>{good});
    std::map<std::string, std::string> why;
    for (const auto& s : r.skipped) why[s.path] = s.reason;
    REQUIRE(why.size() == 4);
    CHECK_THAT(why[foreign], Contains(foreign) && Contains("not of this build's binaries") && Contains(f.other) &&
                                 Contains("build id"));
    CHECK_THAT(why[garbage], Contains(garbage) && Contains("not a sancov profile"));
    CHECK_THAT(why[cut], Contains("cut short"));
    CHECK_THAT(why[version], Contains("format version 9"));
    // The good one's counts are untouched by the others.
    CHECK(r.counts.lines == layer.read({good}).counts.lines);

    // A total that is damaged is an error naming it, not nothing run.
    std::string total = dir + "/" + layer.total_name();
    write_file(total, bytes.substr(0, 100));
    CHECK_THROWS_WITH(layer.read_total(total), Contains(total));

    // Binaries built without what the mode needs are named.
    std::string plain = f.dir + "/plain-binary";
    must_run("clang++-14 -O0 -g " + shell_quote(kSource) + " -o " + shell_quote(plain));
    CHECK_THROWS_WITH(sancov::SancovLayer({plain}, f.dir), Contains(plain) && Contains("pc-table"));
    std::string no_debug = f.dir + "/no-debug";
    must_run(sancov_compile(kSource, no_debug, "-O0 -g0"));
    CHECK_THROWS_WITH(sancov::SancovLayer({no_debug}, f.dir), Contains(no_debug) && Contains("-g"));
}

TEST_CASE("sancov: without DLCOV_SANCOV_FILE a program runs and writes nothing", "[sancov]") {
    const Fixture& f = fixture();
    std::string folder = f.dir + "/unset";
    fs::remove_all(folder);
    fs::create_directories(folder);
    CommandResult r = must_run("cd " + shell_quote(folder) + " && env -u DLCOV_SANCOV_FILE " + shell_quote(f.program) + " a");
    CHECK(r.output == "3\n");
    CHECK(fs::is_empty(folder));
}

namespace {

// Everything of a layout a reading or a report follows, as text: two layouts are the same when
// their texts are (the fingerprint leaves out the line numbers and names of definitions).
std::string describe_layout(const sancov::SancovLayer& layer) {
    const CoverageLayout& l = layer.layout();
    std::ostringstream out;
    out << "blocks " << layer.block_count() << " functions " << l.function_items << " branches "
        << l.branch_lines.size() << "\n";
    for (const auto& file : l.files) {
        out << file.path << "\n";
        for (const auto& fn : file.functions) {
            out << " " << fn.name << " | " << fn.display_name << " | " << fn.line << "\n";
            for (const auto& inst : fn.instantiations) {
                out << "  " << inst.name << " #" << inst.function_index << ":";
                for (size_t i = inst.first_line; i < inst.first_line + inst.line_count; ++i) out << " " << l.line_numbers[i];
                out << "\n";
            }
        }
    }
    return out.str();
}

std::string cache_folder(const std::string& name) {
    std::string dir = fixture().dir + "/" + name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

}  // namespace

TEST_CASE("sancov: a second layer of the same binaries reads the layout cache, same layout, same readings", "[sancov]") {
    const Fixture& f = fixture();
    std::string cache = sancov::sancov_layout_cache_path(cache_folder("cache-same"));
    sancov::SancovLayer first({f.program, f.other}, f.dir, cache);
    CHECK_FALSE(first.layout_from_cache());
    REQUIRE(fs::is_regular_file(cache));
    sancov::SancovLayer second({f.program, f.other}, f.dir, cache);
    CHECK(second.layout_from_cache());
    sancov::SancovLayer fresh({f.program, f.other}, f.dir);  // no cache: from the debug information
    CHECK_FALSE(fresh.layout_from_cache());

    CHECK(second.layout().fingerprint() == fresh.layout().fingerprint());
    CHECK(describe_layout(second) == describe_layout(fresh));
    CHECK(describe_layout(first) == describe_layout(fresh));
    CHECK(second.layout().line_numbers.size() > 10);

    // Real profiles read the same on both, each onto its own binary.
    std::vector<std::string> profiles = run_sancov(f.program, "plain", "cache-plain");
    for (const auto& p : run_sancov(f.program, "fork", "cache-fork")) profiles.push_back(p);
    profiles.push_back(run_sancov(f.other, "", "cache-other").at(0));
    LayerReading cached = second.read(profiles), derived = fresh.read(profiles);
    CHECK(cached.skipped.empty());
    CHECK(cached.read == derived.read);
    CHECK(cached.counts.lines == derived.counts.lines);
    CHECK(cached.counts.functions == derived.counts.functions);
    CHECK(function_counts(second, cached.counts).at("classify") == 2);  // the plain run, the fork's parent
    // And a running total folded on the cached layer reads as on the fresh one.
    std::string total = fs::path(cache).parent_path().string() + "/" + second.total_name();
    second.start_total(total);
    second.fold(total, profiles);
    CHECK(second.read_total(total).counts.lines == derived.counts.lines);
    CHECK(fresh.read_total(total).counts.functions == derived.counts.functions);

    // The cache is for these binaries in this order: another set derives (and rewrites) it.
    sancov::SancovLayer one({f.program}, f.dir, cache);
    CHECK_FALSE(one.layout_from_cache());
    CHECK(describe_layout(one) == describe_layout(sancov::SancovLayer({f.program}, f.dir)));
    CHECK(sancov::SancovLayer({f.program}, f.dir, cache).layout_from_cache());
}

TEST_CASE("sancov: a rebuilt or changed binary is not served the old cached layout", "[sancov]") {
    const Fixture& f = fixture();
    std::string dir = cache_folder("cache-rebuilt");
    std::string cache = sancov::sancov_layout_cache_path(dir);
    std::string binary = dir + "/program";
    fs::copy_file(f.program, binary);
    sancov::SancovLayer old_layer({binary}, f.dir, cache);
    REQUIRE(sancov::SancovLayer({binary}, f.dir, cache).layout_from_cache());

    SECTION("another program at the same path (another build id and size)") {
        fs::copy_file(f.other, binary, fs::copy_options::overwrite_existing);
        sancov::SancovLayer rebuilt({binary}, f.dir, cache);
        CHECK_FALSE(rebuilt.layout_from_cache());
        CHECK(describe_layout(rebuilt) == describe_layout(sancov::SancovLayer({binary}, f.dir)));
        CHECK(describe_layout(rebuilt) != describe_layout(old_layer));
        // The rewritten cache serves the new binary, and reads its profiles.
        sancov::SancovLayer again({binary}, f.dir, cache);
        CHECK(again.layout_from_cache());
        CHECK(describe_layout(again) == describe_layout(rebuilt));
        CHECK(again.read(run_sancov(binary, "", "cache-rebuilt-run")).skipped.empty());
    }
    SECTION("the same build id, another size") {
        std::ofstream(binary, std::ios::app | std::ios::binary) << "appended";
        sancov::SancovLayer changed({binary}, f.dir, cache);
        CHECK_FALSE(changed.layout_from_cache());
        CHECK(describe_layout(changed) == describe_layout(old_layer));
    }
    SECTION("the same size, another build id") {
        std::string id = elf_build_id(binary);
        REQUIRE(id.size() >= 8);
        std::string raw;
        for (size_t i = 0; i < id.size(); i += 2) raw += char(std::stoi(id.substr(i, 2), nullptr, 16));
        std::string bytes = read_file(binary);
        size_t at = bytes.find(raw);
        REQUIRE(at != std::string::npos);
        REQUIRE(bytes.find(raw, at + 1) == std::string::npos);
        bytes[at] = char(bytes[at] ^ 0x5a);
        write_file(binary, bytes);
        REQUIRE(elf_build_id(binary) != id);
        sancov::SancovLayer changed({binary}, f.dir, cache);
        CHECK_FALSE(changed.layout_from_cache());
        CHECK(sancov::SancovLayer({binary}, f.dir, cache).layout_from_cache());
    }
    SECTION("a binary without a build id, touched") {
        std::string plain = dir + "/no-build-id";
        must_run(sancov_compile(kSource, plain, "-O0 -Wl,--build-id=none"));
        REQUIRE(elf_build_id(plain).empty());
        sancov::SancovLayer({plain}, f.dir, cache);
        REQUIRE(sancov::SancovLayer({plain}, f.dir, cache).layout_from_cache());
        fs::last_write_time(plain, fs::last_write_time(plain) + std::chrono::seconds(1));
        CHECK_FALSE(sancov::SancovLayer({plain}, f.dir, cache).layout_from_cache());
    }
    SECTION("a missing binary is named, cache or not") {
        fs::remove(binary);
        CHECK_THROWS_WITH(sancov::SancovLayer({binary}, f.dir, cache), Contains(binary) && Contains("missing"));
    }
}

TEST_CASE("sancov: a damaged, cut-short or foreign layout cache is ignored and replaced", "[sancov]") {
    const Fixture& f = fixture();
    std::string dir = cache_folder("cache-damaged");
    std::string cache = sancov::sancov_layout_cache_path(dir);
    sancov::SancovLayer fresh({f.program}, f.dir);
    sancov::SancovLayer({f.program}, f.dir, cache);
    const std::string good = read_file(cache);
    REQUIRE(good.size() > 100);

    std::map<std::string, std::string> damaged;
    damaged["empty"] = "";
    damaged["garbage"] = "this is not a layout cache\n";
    damaged["cut short"] = good.substr(0, good.size() / 2);
    damaged["the digest cut off"] = good.substr(0, good.size() - 3);
    std::string version = good;
    version[8] = 9;
    damaged["another format version"] = version;
    std::string flipped = good;
    flipped[good.size() / 2] = char(flipped[good.size() / 2] ^ 1);
    damaged["a byte changed"] = flipped;
    // With a digest that matches (as the header documents it), the reader's bounds checks answer.
    auto with_digest = [](std::string bytes) {
        uint64_t h = 0xcbf29ce484222325ULL;
        for (size_t i = 12; i < bytes.size(); ++i) h = (h ^ uint8_t(bytes[i])) * 0x100000001b3ULL;
        return bytes.append(reinterpret_cast<const char*>(&h), sizeof h);
    };
    REQUIRE(with_digest(good.substr(0, good.size() - 8)) == good);
    std::string count = good.substr(0, good.size() - 8);
    count[12 + 7] = char(0x7f);  // the binaries' count: 2^63 and more
    damaged["a count out of range, digest matching"] = with_digest(count);
    std::string length = good.substr(0, good.size() - 8);
    length[12 + 8 + 6] = char(0x01);  // the first binary's path: 2^48 bytes long
    damaged["a string longer than the file, digest matching"] = with_digest(length);
    damaged["cut short, digest matching"] = with_digest(good.substr(0, good.size() / 2));
    damaged["a byte more, digest matching"] = with_digest(good.substr(0, good.size() - 8) + "x");
    std::string range = good.substr(0, good.size() - 8);
    uint64_t inlined_blocks = 0;
    std::memcpy(&inlined_blocks, range.data() + range.size() - 8, sizeof inlined_blocks);
    REQUIRE(inlined_blocks == 0);  // nothing inlined at -O0: inlined_begin's last offset is just before
    range[range.size() - 12] = 5;  // ... and now points past the blocks there are
    damaged["a block range out of bounds, digest matching"] = with_digest(range);
    sancov::SancovLayer({f.other}, f.dir, cache);
    damaged["another binary's"] = read_file(cache);

    for (const auto& [what, bytes] : damaged) {
        INFO("a layout cache with " << what);
        write_file(cache, bytes);
        sancov::SancovLayer layer({f.program}, f.dir, cache);
        CHECK_FALSE(layer.layout_from_cache());
        CHECK(describe_layout(layer) == describe_layout(fresh));
        CHECK(read_file(cache) == good);  // rewritten
        CHECK(sancov::SancovLayer({f.program}, f.dir, cache).layout_from_cache());
    }
    // Nothing but the cache is left in its folder (no temporary files).
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
    CHECK(entries == 1);

    // A cache that cannot be written is no error: the layout is derived every time.
    std::string unwritable = dir + "/no-such-folder/sancov-layout.cache";
    sancov::SancovLayer layer({f.program}, f.dir, unwritable);
    CHECK_FALSE(layer.layout_from_cache());
    CHECK(describe_layout(layer) == describe_layout(fresh));
    CHECK_FALSE(fs::exists(fs::path(unwritable).parent_path()));
}
