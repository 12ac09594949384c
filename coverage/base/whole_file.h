// Writing a file whole or not at all. The text goes to `<path>.partial` first and is renamed over
// `path`, so a reader, a killed harness or a full disk leaves the old file or the new one, never
// a part of one. Every file the harness writes for the campaign goes through here (SQLite keeps
// its own journal).
#pragma once
#include <string>
#include <string_view>

namespace dlcov {

// Writes `text` to `path`. UserError naming the file and the system's reason ("No space left on
// device" ...) when it cannot; the temporary file is removed then and `path` is untouched.
void write_whole_file(const std::string& path, std::string_view text);

// Copies `from` to `to` the same way (UserError naming whichever file failed).
void copy_whole_file(const std::string& from, const std::string& to);

// The temporary name write_whole_file uses for `path` (not any profile's or data file's name).
std::string partial_path(const std::string& path);

}  // namespace dlcov
