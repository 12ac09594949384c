// A runner file (configs/runners/<name>.yaml): how to run one tester.
//
//   name: cradle                  # report row; letters, digits, '_' and '-'
//   style: CRADLE                 # which tester style, for people
//   mode: live                    # live | replay
//   description: ...
//   setup:                        # optional, once per campaign, skipped when `creates` exists
//     command: ["{bin}/dlcov-tinydnn-seeds", "--out", "{campaign}/seeds"]
//     creates: "{campaign}/seeds/seeds.json"
//   command: ["{bin}/dlcov-cradle", "--executor", "{target:dlcov-tinydnn-exec}", ...]
//                                 # live: the tester, run once per trial
//                                 # replay: run once per artifact, with {artifact}
//   artifacts:                    # replay only: which saved files to replay, in sorted order
//     root: "{opt:input}"         #   the tool's output folder
//     glob: "*/mut_model/*.h5"    #   relative to root ('**' spans folders)
//   timeout: 60                   # seconds per execution
//   env: {KEY: value}             # added to every process's environment
//   options: {...}                # defaults for {opt:KEY} and the generator's --options file
//
//   extends: base.yaml            # optional: every key of that runner file (same folder), these
//                                 # on top; options are merged key by key
// Placeholders, expanded in commands, env values and artifact roots:
//   {bin} dlcov's programs   {config_dir} this file's folder   {build} {source_root}
//   {python} the build's Python interpreter (mode python)   {target:NAME} a build target   {campaign} {trial} {work} {profiles} {events} {options}
//   {budget} {seed} {timeout}   {opt:KEY} an option's value   {artifact} (replay)
// String options may use {bin} {config_dir} {build} {source_root} {python} {target:NAME} {campaign}.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>
#include <string>
#include <vector>

namespace dlcov {

struct RunnerDefinition {
    std::string path;        // absolute path of the runner file
    std::string name, style, mode, description;
    std::vector<std::string> setup_command;
    std::string setup_creates;
    std::vector<std::string> command;
    std::string artifacts_root, artifacts_glob;
    double timeout_seconds = 60;
    std::map<std::string, std::string> env;
    nlohmann::json options = nlohmann::json::object();
};

// Throws UserError naming file, line and key.
RunnerDefinition load_runner_definition(const std::string& path);

// Values for {name} placeholders; expand() fails with UserError on an unknown one, naming it
// and where it was used.
class Placeholders {
public:
    void set(const std::string& name, const std::string& value) { values_[name] = value; }
    std::string expand(const std::string& text, const std::string& where) const;
    // Expands the placeholders it knows and leaves any other {...} as written.
    std::string expand_known(const std::string& text) const;
    std::vector<std::string> expand(const std::vector<std::string>& args, const std::string& where) const;

private:
    std::map<std::string, std::string> values_;
};

// YAML scalars and collections as JSON (numbers and booleans typed), for options.
nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace dlcov
