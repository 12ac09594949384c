// Checks that a folder of generated pages is self-contained: every href and src of every .html
// page names a file in the folder (and, with a #fragment, an element id in that page), and
// nothing is fetched from elsewhere. Used by the tests on the report; cheap enough to run always.
#pragma once
#include <string>
#include <vector>

namespace dlcov {

struct BrokenLink {
    std::string page;    // file name of the page holding the link
    std::string target;  // the href or src value as written
    std::string reason;
};

// Links with a scheme (http:, https:, file:, //host) count as broken: the report must not need them.
std::vector<BrokenLink> check_report_links(const std::string& report_dir);

}  // namespace dlcov
