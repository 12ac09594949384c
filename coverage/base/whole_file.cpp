#include "whole_file.h"

#include "error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace dlcov {

namespace {

std::string reason() { return std::strerror(errno); }

// Writes all of `text` to `fd`; false (errno set) when a write fails.
bool write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return false;
        }
        text.remove_prefix(size_t(n));
    }
    return true;
}

// Fills `partial` by `fill(fd)` and renames it over `path`; on any failure removes it and throws.
template <class Fill>
void replace_with(const std::string& path, Fill fill) {
    std::string partial = partial_path(path);
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw UserError(partial + ": cannot write: " + reason());
    std::string failure = fill(fd);
    if (::close(fd) != 0 && failure.empty()) failure = partial + ": cannot write: " + reason();
    if (failure.empty() && std::rename(partial.c_str(), path.c_str()) != 0)
        failure = path + ": cannot replace it with " + partial + ": " + reason();
    if (!failure.empty()) {
        ::unlink(partial.c_str());  // frees the space it took: the harness may have more to write
        throw UserError(failure);
    }
}

}  // namespace

std::string partial_path(const std::string& path) { return path + ".partial"; }

void write_whole_file(const std::string& path, std::string_view text) {
    replace_with(path, [&](int fd) { return write_all(fd, text) ? std::string() : path + ": cannot write: " + reason(); });
}

void copy_whole_file(const std::string& from, const std::string& to) {
    int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) throw UserError(from + ": cannot read: " + reason());
    try {
        replace_with(to, [&](int fd) {
            char buffer[1 << 16];
            while (true) {
                ssize_t n = ::read(in, buffer, sizeof buffer);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) return from + ": cannot read: " + reason();
                if (n == 0) return std::string();
                if (!write_all(fd, std::string_view(buffer, size_t(n)))) return to + ": cannot write: " + reason();
            }
        });
    } catch (...) {
        ::close(in);
        throw;
    }
    ::close(in);
}

}  // namespace dlcov
