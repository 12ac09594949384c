// dlcov-audee: the Audee-style tester (Guo et al., "Audee: Automated Testing for Deep Learning
// Frameworks", ASE 2020). A genetic search generates small tiny-dnn models from scratch — layer
// parameters (kernel, stride, padding, channels, pooling window, activation), weight scale and
// input statistics — runs each on every backend, one process per (model, backend), and breeds
// the models that come closest to a bug: fitness = D_MAD between backends + closeness of the
// outputs to NaN/Inf. Oracles: crash, timeout, exception and NaN (run_executor) and
// inconsistency (D_MAD over the threshold).
//
// Options (--options JSON, from configs/runners/audee-style.yaml or the campaign):
//   backends: [internal, avx]  population: 8  generations: 0 (0 = until the budget)
//   max_models: 0 (0 = no limit)  threshold: 0.1  tournament: 2  elites: 1  immigrants: 1
//   crossover_rate: 0.5  max_mutations: 2
//
// Output under <work>/audee/: models/gen<G>-<i>.model.json and .input.json, history.jsonl (one
// line per model and per generation), summary.json (counts, rewritten after every generation).
#include "fitness.h"
#include "generator.h"
#include "genetic_operators.h"
#include "genome.h"
#include "model_input.h"
#include "model_writer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>

namespace fs = std::filesystem;
using namespace dlcov;
using namespace dlcov::audee;
using nlohmann::json;

namespace {

struct Options {
    std::vector<std::string> backends{"internal", "avx"};
    int population = 8;
    int generations = 0;
    int max_models = 0;
    double threshold = 0.1;
    int tournament = 2;
    int elites = 1;
    int immigrants = 1;
    double crossover_rate = 0.5;
    int max_mutations = 2;
};

Options read_options(const json& j) {
    Options o;
    o.backends = j.value("backends", o.backends);
    o.population = j.value("population", o.population);
    o.generations = j.value("generations", o.generations);
    o.max_models = j.value("max_models", o.max_models);
    o.threshold = j.value("threshold", j.value("mad_threshold", o.threshold));
    o.tournament = j.value("tournament", o.tournament);
    o.elites = j.value("elites", o.elites);
    o.immigrants = j.value("immigrants", o.immigrants);
    o.crossover_rate = j.value("crossover_rate", o.crossover_rate);
    o.max_mutations = j.value("max_mutations", o.max_mutations);
    if (o.backends.empty()) throw std::invalid_argument("backends: at least one backend");
    if (o.population < 2) throw std::invalid_argument("population: at least 2");
    if (o.generations < 0 || o.max_models < 0) throw std::invalid_argument("generations, max_models: 0 or more");
    if (o.tournament < 1) throw std::invalid_argument("tournament: at least 1");
    if (o.elites < 0 || o.immigrants < 0 || o.elites + o.immigrants >= o.population)
        throw std::invalid_argument("elites, immigrants: 0 or more, together fewer than population");
    if (o.max_mutations < 1) throw std::invalid_argument("max_mutations: at least 1");
    return o;
}

// One evaluated model of a generation.
struct Individual {
    std::string id;
    Genome genome;
    double fitness = 0;
    bool breedable = true;  // false once it showed a bug: recorded as a finding, not bred from
};

// A proposed genome with how it came about.
struct Proposal {
    Genome genome;
    std::vector<std::string> parents, operators;
};

// A discard reason without the layer index, so that equal reasons count together.
std::string reason_key(std::string reason) {
    if (reason.rfind("layer ", 0) == 0) reason = reason.substr(reason.find(' ', 6) + 1);
    return reason;
}

class AudeeSearch {
public:
    AudeeSearch(const GeneratorArgs& args, Options options)
        : args_(args), options_(std::move(options)), rng_(args.seed), events_(args.events_path),
          deadline_(args.budget_seconds), dir_(fs::path(args.work_dir) / "audee") {
        fs::create_directories(dir_ / "models");
        history_.open(dir_ / "history.jsonl", std::ios::trunc);
        if (!history_) throw std::runtime_error((dir_ / "history.jsonl").string() + ": cannot write");
    }

    void run() {
        std::vector<Individual> population;
        for (int generation = 0; !stopped(); ++generation) {
            if (options_.generations && generation >= options_.generations) break;
            std::vector<Individual> next = elites(population);
            for (int index = 0; next.size() < size_t(options_.population) && !stopped(); ++index) {
                bool immigrant = next.size() >= size_t(options_.population - options_.immigrants);
                Proposal p = propose(population, generation, immigrant);
                if (auto individual = evaluate(p, generation, index)) next.push_back(std::move(*individual));
            }
            if (next.empty()) break;
            log_generation(generation, next);
            population = std::move(next);
            write_summary(generation + 1);
        }
    }

private:
    bool stopped() const { return deadline_.expired() || (options_.max_models && models_ >= options_.max_models); }

    // The fittest breedable individuals, carried over without running them again.
    std::vector<Individual> elites(std::vector<Individual> population) const {
        std::stable_sort(population.begin(), population.end(),
                         [](const Individual& a, const Individual& b) { return a.fitness > b.fitness; });
        std::vector<Individual> kept;
        for (const auto& i : population)
            if (i.breedable && kept.size() < size_t(options_.elites)) kept.push_back(i);
        return kept;
    }

    // A valid genome: random in generation 0, for the immigrant slots and when too few parents
    // can breed; otherwise a mutated child of tournament-selected parents. Invalid ones are
    // discarded and counted.
    Proposal propose(const std::vector<Individual>& population, int generation, bool immigrant) {
        std::vector<const Individual*> parents;
        for (const auto& i : population)
            if (i.breedable) parents.push_back(&i);
        std::vector<double> fitness;
        for (const auto* p : parents) fitness.push_back(p->fitness);

        for (int attempt = 0;; ++attempt) {
            Proposal p;
            if (generation == 0 || immigrant || parents.size() < 2 || attempt >= 20) {
                p.genome = random_genome(rng_);
                p.operators.push_back(generation == 0 ? "random" : "immigrant");
            } else {
                const Individual& a = *parents[tournament(fitness, size_t(options_.tournament), rng_)];
                p.parents.push_back(a.id);
                p.genome = a.genome;
                if (rng_.chance(options_.crossover_rate)) {
                    const Individual& b = *parents[tournament(fitness, size_t(options_.tournament), rng_)];
                    std::string how;
                    p.genome = crossover(a.genome, b.genome, rng_, how);
                    p.parents.push_back(b.id);
                    p.operators.push_back("crossover:" + how);
                }
                for (int m = rng_.integer(1, options_.max_mutations); m > 0; --m)
                    p.operators.push_back("mutate:" + mutate(p.genome, rng_));
            }
            ShapeCheck check = check_genome(p.genome);
            if (check.valid()) return p;
            discard(p, "invalid: " + *check.error);
        }
    }

    void discard(const Proposal& p, const std::string& reason) {
        ++discarded_[reason_key(reason)];
        history_ << json{{"event", "discarded"}, {"reason", reason}, {"parents", p.parents},
                         {"operators", p.operators}, {"genome", to_json(p.genome)}}.dump()
                 << "\n";
    }

    // Writes the model and its input, runs it on every backend and scores it. nullopt when
    // tiny-dnn refused to build it (discarded) or the budget ran out half-way.
    std::optional<Individual> evaluate(const Proposal& p, int generation, int index) {
        Individual ind;
        ind.id = fmt::format("gen{}-{}", generation, index);
        ind.genome = p.genome;
        const std::string model = (dir_ / "models" / (ind.id + ".model.json")).string();
        const std::string input = (dir_ / "models" / (ind.id + ".input.json")).string();
        int outputs = 0;
        try {
            outputs = save_model(p.genome, model);
        } catch (const ModelBuildError& e) {
            fs::remove(model);
            discard(p, std::string("build: ") + e.what());
            return std::nullopt;
        }
        {
            std::ofstream out(input);
            out << make_input(p.genome.input, std::min(outputs, int(GenomeLimits::kMaxClasses))).dump() << "\n";
            if (!out) throw std::runtime_error(input + ": cannot write");
        }
        std::vector<std::optional<ModelOutput>> results;
        std::vector<std::string> findings;
        for (const auto& backend : options_.backends) {
            if (deadline_.expired()) {  // half-run: not a generated test (its profiles still count)
                fs::remove(model);
                fs::remove(input);
                return std::nullopt;
            }
            ExecutorRun run = run_executor(args_, events_, ind.id + "." + backend, model, input, backend);
            if (run.finding) findings.push_back(run.finding->kind);
            results.push_back(run.output);
        }
        Evaluation e = audee::evaluate(results);
        for (const auto& pair : e.pairs)
            if (auto f = inconsistency(pair, model, input)) {
                events_.finding(*f);
                findings.push_back(f->kind);
            }
        ++models_;
        for (const auto& kind : findings) ++findings_[kind];
        ind.fitness = e.fitness;
        // A model that showed a bug is archived as a finding; the search goes on looking for others.
        ind.breedable = findings.empty();

        std::string outcome = findings.empty() ? "ok" : findings.front();
        history_ << json{{"event", "model"},
                         {"id", ind.id},
                         {"generation", generation},
                         {"parents", p.parents},
                         {"operators", p.operators},
                         {"genome", to_json(p.genome)},
                         {"model", trial_relative(args_, model)},
                         {"input", trial_relative(args_, input)},
                         {"outcome", outcome},
                         {"findings", findings},
                         {"d_mad", e.d_mad},
                         {"max_abs_output", std::isfinite(e.max_abs_output) ? json(e.max_abs_output) : json("inf")},
                         {"closeness", e.closeness},
                         {"fitness", e.fitness}}
                        .dump()
                 << "\n";
        history_.flush();
        std::cout << fmt::format("{}: {} layers, fitness {:.4f} (D_MAD {:.2e}, closeness {:.3f}), {}\n", ind.id,
                                 p.genome.layers.size(), e.fitness, e.d_mad, e.closeness, outcome);
        return ind;
    }

    // D_MAD over the threshold, or NaN on one backend only.
    std::optional<Finding> inconsistency(const PairComparison& pair, const std::string& model,
                                         const std::string& input) const {
        bool over = std::isnan(pair.d_mad) ? pair.nan_on_one_side() : pair.d_mad > options_.threshold;
        if (!over) return std::nullopt;
        const std::string& bj = options_.backends[pair.j];
        const std::string& bk = options_.backends[pair.k];
        std::string detail = std::isnan(pair.d_mad) ? fmt::format("NaN or Inf on {} only", pair.non_finite_j ? bj : bk)
                                                    : fmt::format("D_MAD {:.4f} > {}", pair.d_mad, options_.threshold);
        Finding f = inconsistency_finding(args_, model, input, bj, bk, "D_MAD", std::isnan(pair.d_mad) ? 1.0 : pair.d_mad,
                                          detail);
        return f;
    }

    // The generation's fitness over the models the search breeds from (those without findings).
    void log_generation(int generation, const std::vector<Individual>& population) {
        json ids = json::array();
        std::vector<double> fitness;
        for (const auto& i : population) {
            ids.push_back(i.id);
            if (i.breedable) fitness.push_back(i.fitness);
        }
        json best = nullptr, mean = nullptr;
        if (!fitness.empty()) {
            best = *std::max_element(fitness.begin(), fitness.end());
            mean = std::accumulate(fitness.begin(), fitness.end(), 0.0) / double(fitness.size());
        }
        best_.push_back(best);
        history_ << json{{"event", "generation"}, {"generation", generation}, {"population", ids},
                         {"breedable", fitness.size()}, {"best_fitness", best}, {"mean_fitness", mean}}.dump()
                 << "\n";
        history_.flush();
    }

    void write_summary(int generations) {
        std::ofstream out(dir_ / "summary.json", std::ios::trunc);
        out << json{{"generations", generations}, {"models", models_},   {"discarded", discarded_},
                    {"findings", findings_},      {"best_fitness", best_}, {"seed", args_.seed}}
                   .dump(1)
            << "\n";
    }

    const GeneratorArgs& args_;
    Options options_;
    Rng rng_;
    EventLog events_;
    Deadline deadline_;
    fs::path dir_;
    std::ofstream history_;
    int models_ = 0;
    std::map<std::string, int> discarded_, findings_;
    json best_ = json::array();  // per generation; null when no model could breed
};

}  // namespace

int main(int argc, char** argv) {
    GeneratorArgs args = parse_generator_args(argc, argv, "dlcov-audee",
                                              "Audee-style genetic generation of tiny-dnn models, run on every backend");
    Options options;
    try {
        options = read_options(args.options);
    } catch (const std::exception& e) {  // invalid_argument, or a JSON type error
        std::cerr << "dlcov-audee: options: " << e.what() << "\n";
        return 2;
    }
    try {
        AudeeSearch(args, options).run();
    } catch (const std::exception& e) {
        std::cerr << "dlcov-audee: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
