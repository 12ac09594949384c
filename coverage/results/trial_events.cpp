#include "trial_events.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace dlcov {

TrialEvents::Batch TrialEvents::read_new() {
    Batch batch;
    std::ifstream in(path_, std::ios::binary);
    if (!in) return batch;
    in.seekg(0, std::ios::end);
    long long size = in.tellg();
    if (size <= offset_) return batch;
    std::string text(size_t(size - offset_), '\0');
    in.seekg(offset_);
    in.read(text.data(), std::streamsize(text.size()));
    size_t end = text.rfind('\n');
    if (end == std::string::npos) return batch;
    offset_ += (long long)(end + 1);
    size_t begin = 0;
    while (begin <= end) {
        size_t newline = text.find('\n', begin);
        std::string line = text.substr(begin, newline - begin);
        begin = newline + 1;
        if (line.empty()) continue;
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;  // a line cut short by a killed tester
        std::string event = j.value("event", "");
        if (event == "execution") {
            ExecutionRow row{j.value("id", ""), j.value("artifact", ""), j.value("backend", ""), j.value("result", ""),
                             j.value("seconds", 0.0)};
            if (row.result != "exit 0") ++batch.failed_executions;
            batch.executions.push_back(std::move(row));
        } else if (event == "finding") {
            batch.findings.push_back(finding_from_json(j));
        }
    }
    return batch;
}

}  // namespace dlcov
