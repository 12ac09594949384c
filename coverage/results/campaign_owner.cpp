#include "campaign_owner.h"

#include "error.h"
#include "process.h"
#include "utc_time.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace dlcov {

namespace {

struct flock whole_file(short type) {
    struct flock l {};
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 0;  // to the end, however long the file grows
    return l;
}

std::string own_command_line() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    std::string arg;
    for (char c : all) {
        if (c != '\0') {
            arg += c;
            continue;
        }
        args.push_back(arg);
        arg.clear();
    }
    if (!arg.empty()) args.push_back(arg);
    return command_line(args);
}

std::string host_name() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0) return "?";
    return name;
}

std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    off_t at = 0;
    for (;;) {
        ssize_t n = pread(fd, buffer, sizeof buffer, at);
        if (n <= 0) break;
        text.append(buffer, size_t(n));
        at += n;
    }
    return text;
}

CampaignOwner parse_owner(const std::string& text) {
    CampaignOwner owner;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        size_t space = line.find(' ');
        if (space == std::string::npos) continue;
        std::string key = line.substr(0, space), value = line.substr(space + 1);
        if (key == "pid") owner.pid = std::strtol(value.c_str(), nullptr, 10);
        else if (key == "host") owner.host = value;
        else if (key == "since") owner.since = value;
        else if (key == "command") owner.command = value;
    }
    return owner;
}

// Who holds the lock on `fd`'s file, read from the file; the holder may be writing it right now.
CampaignOwner read_owner(int fd) {
    CampaignOwner owner;
    for (int attempt = 0; attempt < 20; ++attempt) {
        owner = parse_owner(read_all(fd));
        if (owner.pid) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return owner;
}

}  // namespace

std::string CampaignOwner::describe() const {
    std::string out = pid ? fmt::format("pid {}", pid) : std::string("pid unknown");
    if (!host.empty()) out += " on " + host;
    if (!since.empty()) out += " since " + since;
    if (!command.empty()) out += ": " + command;
    return out;
}

CampaignOwnerLock::CampaignOwnerLock(const CampaignFolder& folder) {
    std::string path = folder.lock_path();
    std::error_code ec;
    fs::create_directories(folder.dir(), ec);
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw UserError(path + ": cannot open the campaign's lock file: " + std::strerror(errno));
    struct flock lock = whole_file(F_WRLCK);
    if (fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
        int error = errno;
        if (error == EAGAIN || error == EACCES) {
            CampaignOwner owner = read_owner(fd_);
            close(fd_);
            fd_ = -1;
            throw UserError(fmt::format(
                "{} is being run by another `dlcov run` ({}). A campaign has one owner at a time: wait for it to "
                "end, or stop it{} and run this again to resume the campaign",
                folder.dir(), owner.describe(), owner.pid ? fmt::format(" (kill -INT {})", owner.pid) : std::string()));
        }
        close(fd_);
        fd_ = -1;
        throw UserError(path + ": cannot lock the campaign: " + std::strerror(error));
    }
    std::string text = fmt::format("pid {}\nhost {}\nsince {}\ncommand {}\n", long(getpid()), host_name(), utc_now_iso(),
                                   own_command_line());
    // Who holds it is for messages only: a lock file that cannot be written still locks.
    bool written = ftruncate(fd_, 0) == 0 && pwrite(fd_, text.data(), text.size(), 0) == ssize_t(text.size());
    (void)written;
}

CampaignOwnerLock::~CampaignOwnerLock() {
    if (fd_ >= 0) close(fd_);
}

std::optional<CampaignOwner> campaign_owner(const CampaignFolder& folder) {
    int fd = open(folder.lock_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct flock probe = whole_file(F_RDLCK);
    std::optional<CampaignOwner> owner;
    if (fcntl(fd, F_OFD_GETLK, &probe) == 0 && probe.l_type != F_UNLCK) owner = read_owner(fd);
    close(fd);
    return owner;
}

}  // namespace dlcov
