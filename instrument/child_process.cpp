#include "child_process.h"

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>
#include <sys/wait.h>
#include <iterator>
#include <stdexcept>

namespace bp = boost::process;

namespace dlcov {

// Only the header-only parts of Boost.Process are used: search_path and friends need
// the compiled Boost.Filesystem, which Debian's libboost-dev does not ship.
ChildResult run_child(const std::vector<std::string>& argv) {
    if (argv.empty()) throw std::runtime_error("run_child: empty command");
    ChildResult result;
    bp::ipstream output;
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    std::error_code error;
    bp::child child(bp::exe = argv[0], bp::args = args, bp::std_in < bp::null,
                    (bp::std_out & bp::std_err) > output, error);
    if (error) throw std::runtime_error("cannot run " + argv[0] + ": " + error.message());
    result.output.assign(std::istreambuf_iterator<char>(output), std::istreambuf_iterator<char>());
    child.wait();
    // Boost reports a signal death as exit code 0 plus native status; decode it ourselves.
    int status = child.native_exit_code();
    if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
    else result.exit_code = WEXITSTATUS(status);
    return result;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& arg : argv) {
        bool plain = !arg.empty() &&
                     arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_=+./,:%@") == std::string::npos;
        std::string quoted = "'";
        for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        quoted += "'";
        line += (line.empty() ? "" : " ") + (plain ? arg : quoted);
    }
    return line;
}

}  // namespace dlcov
