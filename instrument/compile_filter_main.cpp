// dlcov-compile-filter COMPILER ARGS...: the compiler launcher of source builds (build_recipe.h).
// CMake runs every compile as `launcher compiler args`; this adds the coverage flags when a source
// file of the compile lies under one of the instrumented folders and runs the compiler as it was
// asked otherwise, so only the components a user asked for are instrumented.
//
//   DLCOV_INSTRUMENT_PATHS  absolute folders, separated by ';'
//   DLCOV_COVERAGE_FLAGS    the flags added, separated by ';' (as CMake writes lists)
//   DLCOV_COMPILE_LOG       optional: one line per source appended, "instrumented\tPATH" or
//                           "plain\tPATH" (what the filter decided, for the user and the tests)
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<std::string> list_of(const char* text) {
    std::vector<std::string> out;
    std::string current;
    for (const char* p = text ? text : ""; *p; ++p) {
        if (*p == ';') {
            if (!current.empty()) out.push_back(current);
            current.clear();
        } else {
            current += *p;
        }
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

bool is_source(const std::string& arg) {
    static const std::set<std::string> extensions = {".c", ".cc", ".cpp", ".cxx", ".c++", ".C", ".cu", ".S", ".s"};
    return !arg.empty() && arg[0] != '-' && extensions.count(fs::path(arg).extension().string());
}

// Options whose value is the next argument (so `-o x.cc` names no source).
bool takes_value(const std::string& arg) {
    static const std::set<std::string> options = {"-o", "-MF", "-MT", "-MQ", "-include", "-imacros", "-isystem",
                                                  "-I", "-x", "-Xclang", "-Xlinker", "-iquote", "-idirafter",
                                                  "--param", "-arch", "-target", "-mllvm"};
    return options.count(arg) > 0;
}

bool under(const fs::path& file, const fs::path& folder) {
    auto f = file.begin();
    for (auto d = folder.begin(); d != folder.end(); ++d, ++f)
        if (f == file.end() || *f != *d) return d == folder.end() || d->empty();
    return true;
}

void log_decision(const std::string& decision, const std::string& path) {
    const char* log = std::getenv("DLCOV_COMPILE_LOG");
    if (!log || !*log) return;
    int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    std::string line = decision + "\t" + path + "\n";
    ssize_t written = write(fd, line.data(), line.size());  // one small append: whole under O_APPEND
    (void)written;
    close(fd);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: dlcov-compile-filter COMPILER ARGS...\n"
                             "(the compiler launcher of dlcov's source builds; see instrument/README.md)\n");
        return 2;
    }
    std::vector<fs::path> folders;
    for (const auto& folder : list_of(std::getenv("DLCOV_INSTRUMENT_PATHS")))
        folders.push_back(fs::path(folder).lexically_normal());
    std::vector<std::string> args(argv + 1, argv + argc);
    bool instrument = false;
    std::vector<std::string> sources;
    for (size_t i = 1; i < args.size(); ++i) {
        if (takes_value(args[i])) {
            ++i;
            continue;
        }
        if (!is_source(args[i])) continue;
        std::error_code ec;
        fs::path path = fs::absolute(args[i], ec).lexically_normal();
        fs::path real = fs::weakly_canonical(path, ec);
        bool inside = false;
        for (const auto& folder : folders) inside = inside || under(path, folder) || (!ec && under(real, folder));
        log_decision(inside ? "instrumented" : "plain", path.string());
        instrument = instrument || inside;
    }
    if (instrument)
        for (const auto& flag : list_of(std::getenv("DLCOV_COVERAGE_FLAGS"))) args.push_back(flag);
    std::vector<char*> exec_argv;
    for (auto& arg : args) exec_argv.push_back(arg.data());
    exec_argv.push_back(nullptr);
    execvp(exec_argv[0], exec_argv.data());
    std::fprintf(stderr, "dlcov-compile-filter: cannot run %s: %s\n", exec_argv[0], std::strerror(errno));
    return 127;
}
