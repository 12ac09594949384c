#include "statistics.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace dlcov {

namespace {

// Number of orderings of n1 + n2 distinct values whose U (of the first sample) is exactly u,
// for every u: f(i, j, u) = f(i-1, j, u-j) + f(i, j-1, u).
std::vector<double> exact_u_frequencies(size_t n1, size_t n2) {
    size_t max_u = n1 * n2;
    // table[i][j] is the frequency vector for sizes i, j.
    std::vector<std::vector<std::vector<double>>> table(n1 + 1, std::vector<std::vector<double>>(n2 + 1));
    for (size_t i = 0; i <= n1; ++i)
        for (size_t j = 0; j <= n2; ++j) {
            std::vector<double>& f = table[i][j];
            f.assign(i * j + 1, 0.0);
            if (i == 0 || j == 0) {
                f[0] = 1;
                continue;
            }
            // The largest value belongs to the first sample (it beats all j of the second) or not.
            const auto& with_first = table[i - 1][j];
            const auto& with_second = table[i][j - 1];
            for (size_t u = 0; u < with_first.size(); ++u) f[u + j] += with_first[u];
            for (size_t u = 0; u < with_second.size(); ++u) f[u] += with_second[u];
        }
    std::vector<double> result = table[n1][n2];
    result.resize(max_u + 1, 0.0);
    return result;
}

}  // namespace

MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                                 MannWhitneyMethod method) {
    MannWhitneyResult r;
    size_t n1 = a.size(), n2 = b.size();
    if (n1 == 0 || n2 == 0) return r;
    for (double x : a)
        for (double y : b) r.u += x > y ? 1.0 : x == y ? 0.5 : 0.0;

    std::map<double, size_t> tie_groups;
    for (double x : a) ++tie_groups[x];
    for (double y : b) ++tie_groups[y];
    double n = double(n1 + n2);
    bool ties = tie_groups.size() < n1 + n2;

    bool exact = method == MannWhitneyMethod::Exact ||
                 (method == MannWhitneyMethod::Automatic && n1 <= 10 && n2 <= 10);
    if (exact && !ties) {
        std::vector<double> freq = exact_u_frequencies(n1, n2);
        double total = 0;
        for (double f : freq) total += f;
        // Two-sided: twice the smaller tail, U's distribution being symmetric around n1*n2/2.
        auto u = size_t(std::llround(r.u));
        double lower = 0, upper = 0;
        for (size_t k = 0; k <= u; ++k) lower += freq[k];
        for (size_t k = u; k < freq.size(); ++k) upper += freq[k];
        r.p_value = std::min(1.0, 2.0 * std::min(lower, upper) / total);
        r.exact = true;
        return r;
    }

    double mean = double(n1) * double(n2) / 2.0;
    double tie_term = 0;
    for (const auto& [value, t] : tie_groups) tie_term += double(t) * double(t) * double(t) - double(t);
    double variance = double(n1) * double(n2) / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if (variance <= 0) return r;  // every value equal: no evidence of a difference
    double z = (std::abs(r.u - mean) - 0.5) / std::sqrt(variance);
    r.p_value = std::min(1.0, std::erfc(std::max(z, 0.0) / std::sqrt(2.0)));
    return r;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double vargha_delaney_a12(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.empty() || b.empty()) return 0.5;
    double wins = 0;
    for (double x : a)
        for (double y : b) wins += x > y ? 1.0 : x == y ? 0.5 : 0.0;
    return wins / (double(a.size()) * double(b.size()));
}

const char* a12_magnitude(double a12) {
    double d = std::abs(a12 - 0.5);
    if (d < 0.06) return "negligible";
    if (d < 0.14) return "small";
    if (d < 0.21) return "medium";
    return "large";
}

}  // namespace dlcov
