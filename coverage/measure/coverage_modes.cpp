#include "coverage_modes.h"

#include "error.h"
#include "llvm_layer.h"

namespace dlcov {

std::vector<std::unique_ptr<CoverageLayer>> build_layers(const BuildManifest& build) {
    std::vector<std::unique_ptr<CoverageLayer>> layers;
    if (build.mode == "llvm") {
        if (build.layout_profile.empty())
            throw UserError(build.build_dir() + " has no layout profile; run `dlcov instrument` again");
        layers.push_back(std::make_unique<LlvmLayer>(build.objects, build.layout_profile, build.source_root));
    } else {
        throw UserError(manifest_path(build.build_dir()) + ": coverage mode '" + build.mode +
                        "' is not one this dlcov reads (llvm)");
    }
    return layers;
}

std::vector<std::unique_ptr<CoverageLayer>> object_layers(const std::vector<std::string>& objects,
                                                          const std::vector<std::string>& profiles,
                                                          const std::string& source_root) {
    std::vector<std::unique_ptr<CoverageLayer>> layers;
    layers.push_back(std::make_unique<LlvmLayer>(LlvmLayer::laid_out_by(objects, profiles, source_root)));
    return layers;
}

}  // namespace dlcov
