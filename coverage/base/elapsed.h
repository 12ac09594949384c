// Seconds on the monotonic clock since a start: how long a step took (progress lines, records).
#pragma once
#include <chrono>

namespace dlcov {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace dlcov
