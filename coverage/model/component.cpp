#include "component.h"

namespace dlcov {

std::string component_id(Component c) {
    switch (c) {
        case Component::Api: return "api";
        case Component::Graph: return "graph";
        case Component::Operation: return "operation";
        case Component::Utility: return "utility";
        case Component::Environment: return "environment";
    }
    return "?";
}

std::string component_title(Component c) {
    switch (c) {
        case Component::Api: return "User-Level API";
        case Component::Graph: return "Graph-Level Implementation";
        case Component::Operation: return "Operation Implementation";
        case Component::Utility: return "General Utility";
        case Component::Environment: return "Environment-Dependent Processing";
    }
    return "?";
}

std::string component_short_title(Component c) {
    switch (c) {
        case Component::Api: return "API";
        case Component::Graph: return "Graph";
        case Component::Operation: return "Operation";
        case Component::Utility: return "Utility";
        case Component::Environment: return "Environment";
    }
    return "?";
}

std::optional<Component> parse_component(const std::string& id) {
    for (Component c : kComponents)
        if (component_id(c) == id) return c;
    return std::nullopt;
}

}  // namespace dlcov
