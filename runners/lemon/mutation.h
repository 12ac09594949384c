// LEMON's twelve model mutation operators (Wang et al., "Deep Learning Library Testing via
// Effective Model Generation", ESEC/FSE 2020) over tiny-dnn models. Each operator lives in
// operators/<name>.cpp with a comment on what LEMON's operator does and how it maps onto
// tiny-dnn. An operator either returns a mutant with a description of the change, or no model
// and the reason it does not apply to this model (e.g. LS finds no two swappable layers).
#pragma once
#include "random_source.h"
#include "tiny_model.h"

#include <optional>
#include <string>
#include <vector>

namespace dlcov::lemon {

struct MutationSettings {
    // LEMON's mutation ratio: the share of neurons (WS, NEB, NAI) or weights (GF) touched.
    double mutate_ratio = 0.3;

    // How many of `n` neurons or weights an operator touches: the ratio's share, at least one.
    size_t mutated_count(size_t n) const;
};

struct Mutation {
    std::optional<TinyModel> model;  // the mutant, when the operator applied
    std::string description;         // what changed, or why the operator does not apply
    bool applied() const { return model.has_value(); }
};

inline Mutation applied(TinyModel model, std::string description) { return {std::move(model), std::move(description)}; }
inline Mutation not_applicable(std::string reason) { return {std::nullopt, std::move(reason)}; }

using MutationOperator = Mutation (*)(const TinyModel&, RandomSource&, const MutationSettings&);

// LEMON's names, in the paper's order: WS GF NEB NAI NS ARem ARep LA LC LR LS MLA.
const std::vector<std::string>& operator_names();
bool is_operator(const std::string& name);

// Applies operator `name` (one of operator_names(); std::invalid_argument otherwise). A mutant
// of a sequential model is checked for consistent shapes before it is returned.
Mutation apply_operator(const std::string& name, const TinyModel& model, RandomSource& random,
                        const MutationSettings& settings = {});

}  // namespace dlcov::lemon
