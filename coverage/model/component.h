// The five framework components of Chen et al. (TOSEM 2023), in the order reports show them.
#pragma once
#include <array>
#include <optional>
#include <string>

namespace dlcov {

enum class Component { Api, Graph, Operation, Utility, Environment };

inline constexpr std::array<Component, 5> kComponents = {
    Component::Api, Component::Graph, Component::Operation, Component::Utility,
    Component::Environment};

// Short id used in YAML maps and JSON: api, graph, operation, utility, environment.
std::string component_id(Component c);
// Heading used in tables: "User-Level API", "Graph-Level Implementation", ...
std::string component_title(Component c);
// Column heading in Table 6: "API", "Graph", "Operation", "Utility", "Environment".
std::string component_short_title(Component c);
// Parses a short id; nullopt when it is not one of the five.
std::optional<Component> parse_component(const std::string& id);

}  // namespace dlcov
