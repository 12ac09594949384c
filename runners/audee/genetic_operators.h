// The genetic operators of the Audee-style search: random genomes, mutation, crossover and
// tournament selection. Every operator repairs its result (genome.h), so a child is valid unless
// repair could not make it so; the caller discards those with check_genome's reason.
#pragma once
#include "genome.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace dlcov::audee {

// Draws from std::mt19937, whose output the standard fixes; the std distributions are
// implementation-defined, so the same --seed would not give the same genomes everywhere.
class Rng {
public:
    explicit Rng(std::uint32_t seed) : engine_(seed) {}
    std::uint32_t next() { return std::uint32_t(engine_()); }
    double uniform() { return next() / 4294967296.0; }  // [0, 1)
    double uniform(double low, double high) { return low + (high - low) * uniform(); }
    int integer(int low, int high) { return low + int(uniform() * (high - low + 1)); }  // [low, high]
    bool chance(double p) { return uniform() < p; }
    template <typename T>
    const T& pick(const std::vector<T>& items) { return items.at(size_t(uniform() * items.size())); }

private:
    std::mt19937 engine_;
};

// A random layer, its windows sized for an input of `shape` (repair finishes the job).
LayerGene random_layer(Rng& rng, const Shape& shape);
// A random genome: input shape, 1-5 hidden layers and a fully-connected head, weight and input
// statistics mostly ordinary, sometimes extreme. Repaired.
Genome random_genome(Rng& rng);

// One mutation of one gene. Returns its name ("kernel", "activation", "insert-layer",
// "weight-scale", "input-special", ...). Repairs the genome.
std::string mutate(Genome& genome, Rng& rng);

// A child of two parents: either a layer-list splice (a's layers before a cut, b's from a cut on)
// or a parameter mix (layers from one parent, input and weight genes from the other). `how` gets
// a description such as "splice(2,1)" or "mix(layers=b)". Repairs the child.
Genome crossover(const Genome& a, const Genome& b, Rng& rng, std::string& how);

// The index of the fittest of `size` entries drawn at random from `fitness` (ties: the first
// drawn). `fitness` must not be empty.
size_t tournament(const std::vector<double>& fitness, size_t size, Rng& rng);

}  // namespace dlcov::audee
