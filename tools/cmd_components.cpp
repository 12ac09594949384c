// dlcov components: the component map applied to an instrumented build.
#include "build_manifest.h"
#include "commands.h"
#include "coverage_modes.h"
#include "error.h"
#include "measurement_pipeline.h"
#include "text_table.h"

#include <fmt/format.h>
#include <iostream>
#include <memory>

namespace dlcov {

namespace {

struct ComponentsOptions {
    std::string build_dir, map;
    bool files = false;
};

void run_components(const ComponentsOptions& o) {
    BuildManifest build = load_manifest(o.build_dir);
    std::string map_path = o.map.empty() ? build.component_map : o.map;
    if (map_path.empty()) throw UserError(build.build_dir() + " names no component map: pass --map");
    MeasurementPipeline pipeline(build_layers(build), map_path);  // throws naming unmapped files
    // The totals need no counts: measure no profiles.
    Measurement m = pipeline.measure({}).measurement;

    TextTable table({"Component", "Files", "Lines", "Branches", "Functions"});
    for (Component c : kComponents) {
        size_t files = 0;
        for (const auto& f : m.files) files += f.component == component_id(c);
        const CoverageTally& t = m.components[c];
        table.add_row({component_title(c) + " (" + component_id(c) + ")", std::to_string(files),
                       std::to_string(t.lines.total), std::to_string(t.branches.total), std::to_string(t.functions.total)});
    }
    table.add_separator();
    table.add_row({"mapped", std::to_string(m.files.size()), std::to_string(m.total.lines.total),
                   std::to_string(m.total.branches.total), std::to_string(m.total.functions.total)});
    std::cout << fmt::format("Component map {} applied to {} ({} instrumented files)\n\n", map_path, build.build_dir(),
                             pipeline.layout().files.size());
    std::cout << table.render();
    if (o.files) {
        for (Component c : kComponents) {
            std::cout << "\n" << component_title(c) << ":\n";
            for (const auto& f : m.files)
                if (f.component == component_id(c)) std::cout << "  " << f.path << "\n";
        }
    }
    std::cout << "\nexcluded (" << m.excluded.size() << "):\n";
    for (const auto& [path, why] : m.excluded) std::cout << "  " << path << "  [" << why << "]\n";
}

}  // namespace

void add_components_command(CLI::App& app) {
    auto o = std::make_shared<ComponentsOptions>();
    CLI::App* cmd = app.add_subcommand(
        "components",
        "Show how a component map splits an instrumented build's source files into the five\n"
        "components. Fails, naming every file, when a file is neither mapped nor excluded.\n"
        "Example: dlcov components builds/tinydnn --files");
    cmd->add_option("build", o->build_dir, "build folder (holding build.json) written by `dlcov instrument`")->required();
    cmd->add_option("--map", o->map, "component map to apply instead of the build's own");
    cmd->add_flag("--files", o->files, "list the files of each component");
    cmd->callback([o] { run_components(*o); });
}

}  // namespace dlcov
