// findings.html: every finding with the artifact that reproduces it and the command that replays it.
#include "html_escape.h"
#include "html_page.h"

#include <fmt/format.h>

namespace dlcov::html {

std::string findings_page(const ReportInput& in) {
    std::string body;
    if (in.findings.empty()) {
        body = "<p>No runner reported a finding (crash, timeout, NaN/Inf, exception or inconsistency) in this campaign.</p>\n";
        return page("Findings", body);
    }
    body = fmt::format("<p class=\"note\">{} findings. The reproducer is the artifact the runner executed, relative to "
                       "the campaign folder <code>{}</code>; the replay command runs it again against the "
                       "instrumented build.</p>\n",
                       in.findings.size(), html_escape(in.campaign_dir));
    body += "<table class=\"sortable\">\n<thead><tr><th>runner</th><th>trial</th><th>kind</th><th>reproducer</th>"
            "<th>backends</th><th>detail</th><th>replay command</th></tr></thead>\n<tbody>\n";
    for (const auto& [runner, trial, f] : in.findings)
        body += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td>"
                            "<td>{}</td><td><code>{}</code></td></tr>\n",
                            html_escape(runner), trial, html_escape(f.kind), html_escape(f.artifact),
                            html_escape(f.backends), html_escape(f.detail), html_escape(f.replay));
    body += "</tbody></table>\n";
    return page("Findings", body);
}

}  // namespace dlcov::html
