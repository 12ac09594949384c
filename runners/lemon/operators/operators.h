// One function per LEMON operator (see ../mutation.h); each file says what it does.
#pragma once
#include "mutation.h"

namespace dlcov::lemon {

// Weight-level operators: any model, sequential or graph.
Mutation weight_shuffling(const TinyModel&, RandomSource&, const MutationSettings&);            // WS
Mutation gaussian_fuzzing(const TinyModel&, RandomSource&, const MutationSettings&);            // GF
Mutation neuron_effect_block(const TinyModel&, RandomSource&, const MutationSettings&);         // NEB
Mutation neuron_activation_inverse(const TinyModel&, RandomSource&, const MutationSettings&);   // NAI
Mutation neuron_switch(const TinyModel&, RandomSource&, const MutationSettings&);               // NS
// Activation operators: any model (the type name carries the activation).
Mutation activation_removal(const TinyModel&, RandomSource&, const MutationSettings&);          // ARem
Mutation activation_replacement(const TinyModel&, RandomSource&, const MutationSettings&);      // ARep
// Layer operators: sequential models (a graph model gets a reason).
Mutation layer_addition(const TinyModel&, RandomSource&, const MutationSettings&);              // LA
Mutation layer_copy(const TinyModel&, RandomSource&, const MutationSettings&);                  // LC
Mutation layer_removal(const TinyModel&, RandomSource&, const MutationSettings&);               // LR
Mutation layer_switch(const TinyModel&, RandomSource&, const MutationSettings&);                // LS
Mutation multi_layer_addition(const TinyModel&, RandomSource&, const MutationSettings&);        // MLA

// The reason layer operators give for graph models (apply_operator checks it).
constexpr const char* kGraphModelReason =
    "graph model (tiny-dnn network<graph>): layer operators change sequential models only";

}  // namespace dlcov::lemon
