// Whether an indexed profile (*.profdata) is whole. LLVM 14's reader trusts the offsets in the
// file's header and reads past the end of a file cut short: a crash, not an error. A running
// total damaged outside dlcov (cut by a full disk, a copy that stopped) must be named instead.
#pragma once
#include <string>

namespace dlcov {

// "" when `path` is not an indexed profile (its reader checks other formats) or its header and
// hash table lie within the file; else why not, e.g. "cut short: its hash table ends at byte
// 11778816 of 5889408".
std::string indexed_profile_damage(const std::string& path);

}  // namespace dlcov
