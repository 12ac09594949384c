#include "finding.h"

namespace dlcov {

nlohmann::json to_json(const Finding& f) {
    return {{"kind", f.kind},     {"artifact", f.artifact}, {"input", f.input},   {"backends", f.backends},
            {"metric", f.metric}, {"value", f.value},       {"detail", f.detail}, {"replay", f.replay}};
}

Finding finding_from_json(const nlohmann::json& j) {
    Finding f;
    f.kind = j.value("kind", "");
    f.artifact = j.value("artifact", "");
    f.input = j.value("input", "");
    f.backends = j.value("backends", "");
    f.metric = j.value("metric", "");
    f.value = j.value("value", 0.0);
    f.detail = j.value("detail", "");
    f.replay = j.value("replay", "");
    return f;
}

}  // namespace dlcov
