#include "runner.h"

#include "cradle/cradle_runner.h"
#include "error.h"

namespace dlcov {

nlohmann::json to_json(const Finding& f) {
    return {{"kind", f.kind},     {"artifact", f.artifact}, {"input", f.input},   {"backends", f.backends},
            {"metric", f.metric}, {"value", f.value},       {"detail", f.detail}, {"replay", f.replay}};
}

std::unique_ptr<Runner> make_runner(const RunnerSpec& spec) {
    if (spec.style == "cradle") return std::make_unique<CradleRunner>(spec);
    throw UserError("runner '" + spec.name + "': unknown style '" + spec.style + "' (known: cradle)");
}

std::string profile_pattern(const std::string& profile_dir, const std::string& execution_id) {
    return profile_dir + "/" + execution_id + "-%p-%m%c.profraw";
}

}  // namespace dlcov
