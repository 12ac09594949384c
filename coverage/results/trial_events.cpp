#include "trial_events.h"

#include "error.h"
#include "outside_text.h"

namespace dlcov {

TrialEventsWriter::TrialEventsWriter(const std::string& path) : out_(path, std::ios::app) {
    if (!out_) throw UserError(path + ": cannot write");
}

void TrialEventsWriter::write(const nlohmann::json& line) {
    nlohmann::json text = line;
    escape_json_text(text);  // artifact names and tester output are bytes from outside
    std::lock_guard<std::mutex> lock(mutex_);
    out_ << text.dump() << "\n";
    out_.flush();  // the harness reads this file while the tester runs
}

void TrialEventsWriter::execution(const ExecutionEvent& e) {
    write({{"event", "execution"}, {"id", e.id}, {"artifact", e.artifact}, {"backend", e.backend},
           {"result", e.result}, {"seconds", e.seconds}});
}

void TrialEventsWriter::finding(const Finding& finding) {
    nlohmann::json j = to_json(finding);
    j["event"] = "finding";
    write(j);
}

std::string execution_identity(const ExecutionEvent& e) {
    return nlohmann::json::array({e.id, e.artifact, e.backend}).dump();
}

std::string finding_identity(const Finding& f) {
    return nlohmann::json::array({f.kind, f.artifact, f.input, f.backends, f.metric}).dump();
}

TrialEvents TrialEventsReader::read_new() {
    TrialEvents events;
    std::ifstream in(path_, std::ios::binary);
    if (!in) return events;
    in.seekg(0, std::ios::end);
    long long size = in.tellg();
    if (size <= offset_) return events;
    std::string text(size_t(size - offset_), '\0');
    in.seekg(offset_);
    in.read(text.data(), std::streamsize(text.size()));
    size_t end = text.rfind('\n');
    if (end == std::string::npos) return events;
    offset_ += (long long)(end + 1);
    size_t begin = 0;
    while (begin <= end) {
        size_t newline = text.find('\n', begin);
        std::string line = text.substr(begin, newline - begin);
        begin = newline + 1;
        if (line.empty()) continue;
        // A tester writing its own events may put bytes that are not UTF-8 into a string: kept, escaped.
        if (!is_valid_utf8(line)) line = escape_invalid_utf8(line, "\\\\x");
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;  // a line cut short by a killed tester
        std::string event = j.value("event", "");
        if (event == "execution") {
            ExecutionEvent e{j.value("id", ""), j.value("artifact", ""), j.value("backend", ""), j.value("result", ""),
                             j.value("seconds", 0.0)};
            if (!seen_.insert("e" + execution_identity(e)).second) continue;
            if (e.failed()) ++events.failed_executions;
            events.executions.push_back(std::move(e));
        } else if (event == "finding") {
            Finding f = finding_from_json(j);
            if (seen_.insert("f" + finding_identity(f)).second) events.findings.push_back(std::move(f));
        }
    }
    return events;
}

TrialEvents read_trial_events(const std::string& path) { return TrialEventsReader(path).read_new(); }

}  // namespace dlcov
