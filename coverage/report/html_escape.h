// Escaping for HTML and XML text and attribute values. Every file name, source line, runner
// name and finding detail goes through it before it reaches a page: source files and artifact
// names are data, never markup.
#pragma once
#include <string>

namespace dlcov {

// Replaces & < > " ' with entities; safe inside element text and quoted attribute values.
std::string html_escape(const std::string& text);

}  // namespace dlcov
