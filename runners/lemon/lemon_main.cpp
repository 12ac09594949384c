// dlcov-lemon: the LEMON-style tester (Wang et al., ESEC/FSE 2020) for tiny-dnn. Mutates the seed
// models with LEMON's twelve operators, guided by the growth of inconsistency between backends,
// and runs every mutant on every backend in its own executor process (lemon_search.h).
//
//   dlcov-lemon --executor PATH --seeds DIR --work DIR --profiles DIR --events FILE
//               [--options FILE] [--budget S] [--seed N] [--timeout S]     (the generator contract)
//   dlcov-lemon --apply OP --model IN.json --out OUT.json [--seed N] [--mutate-ratio R]
//               applies one operator once: exit 0 and a description when it applied, exit 1 and
//               the reason when it does not apply to the model, exit 2 on errors.
#include "generator.h"
#include "lemon_options.h"
#include "lemon_search.h"

#include <CLI/CLI.hpp>
#include <cstring>
#include <fmt/format.h>
#include <iostream>

using namespace dlcov;
using namespace dlcov::lemon;

namespace {

int apply_once(int argc, char** argv) {
    std::string op, model_path, out_path;
    unsigned seed = 1;
    MutationSettings settings;
    CLI::App app{"Applies one LEMON operator to one tiny-dnn model", "dlcov-lemon --apply"};
    app.add_option("--apply", op, "operator: WS GF NEB NAI NS ARem ARep LA LC LR LS MLA")->required();
    app.add_option("--model", model_path, "tiny-dnn JSON model")->required();
    app.add_option("--out", out_path, "where to write the mutant")->required();
    app.add_option("--seed", seed, "random seed")->capture_default_str();
    app.add_option("--mutate-ratio", settings.mutate_ratio, "share of neurons or weights touched")->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        RandomSource random(seed);
        Mutation m = apply_operator(op, TinyModel::load(model_path), random, settings);
        if (!m.applied()) {
            std::cout << "not applicable: " << m.description << "\n";
            return 1;
        }
        m.model->save(out_path);
        std::cout << op << ": " << m.description << "\n";
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "dlcov-lemon: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--apply") == 0) return apply_once(argc, argv);

    GeneratorArgs args = parse_generator_args(argc, argv, "dlcov-lemon",
                                              "LEMON-style model mutation, guided by inconsistency across backends "
                                              "(or --apply OP --model IN --out OUT for one mutation)");
    LemonOptions options;
    try {
        options = parse_lemon_options(args.options);
    } catch (const std::invalid_argument& e) {
        std::cerr << "dlcov-lemon: " << e.what() << "\n";
        return 2;
    }
    SearchSummary s;
    try {
        s = run_lemon_search(args, options);
    } catch (const std::exception& e) {  // unreadable seeds, an executor that cannot start, a full disk
        std::cerr << "dlcov-lemon: " << e.what() << "\n";
        return 2;
    }
    std::cout << fmt::format("LEMON: {} mutants, {} kept, {} crash, {} NaN, {} inconsistencies, {} operator attempts "
                             "that did not apply\n",
                             s.mutants, s.kept, s.crashes, s.nans, s.inconsistencies, s.not_applicable);
    return 0;
}
