// The current time as results and manifests record it: "2026-11-25T23:26:43Z".
#pragma once
#include <string>

namespace dlcov {

std::string utc_now_iso();  // thread-safe (gmtime_r)

}  // namespace dlcov
