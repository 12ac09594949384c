// Text from outside dlcov — file and artifact names, what a tester or an execution printed, what a
// tester wrote into its events file — is bytes, not necessarily UTF-8 (a Latin-1 file name such as
// "caf\xe9.h5", output cut in the middle of a character). JSON takes UTF-8 only: nlohmann::json
// throws type_error.316 when it dumps a string that is not. This is the one way such bytes become
// text: valid UTF-8 stays as it is, and every byte that is not part of a valid UTF-8 sequence
// becomes the four characters \xNN (lowercase hex), as Python's "backslashreplace" does. No byte is
// lost: its value is in the text. What shows the text (HTML) escapes it like any other.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace dlcov {

// Whether `bytes` is well-formed UTF-8 as RFC 3629 (and nlohmann::json) define it: no overlong
// forms, no surrogates, nothing past U+10FFFF.
bool is_valid_utf8(std::string_view bytes);

// `bytes` with every byte outside a valid UTF-8 sequence written as `prefix` + two hex digits
// (prefix "\\x" gives \xe9; "\\\\x" gives what a JSON string literal needs to decode to \xe9).
std::string escape_invalid_utf8(std::string_view bytes, std::string_view prefix = "\\x");

// The longest start of `text` of at most `max_bytes` bytes that does not end inside a UTF-8
// character (a cut of clean text stays clean).
std::string utf8_prefix(std::string_view text, size_t max_bytes);

// Every string of a JSON value, object keys included, through escape_invalid_utf8, in place; a
// clean value is left untouched. A template on the JSON type so that base/ needs no JSON library.
template <class Json>
void escape_json_text(Json& j) {
    if (j.is_string()) {
        auto& s = j.template get_ref<typename Json::string_t&>();
        if (!is_valid_utf8(s)) s = escape_invalid_utf8(s);
    } else if (j.is_array()) {
        for (auto& item : j) escape_json_text(item);
    } else if (j.is_object()) {
        std::vector<std::string> bad_keys;
        for (auto it = j.begin(); it != j.end(); ++it) {
            escape_json_text(it.value());
            if (!is_valid_utf8(it.key())) bad_keys.push_back(it.key());
        }
        for (const auto& key : bad_keys) {
            Json value = std::move(j[key]);
            j.erase(key);
            j[escape_invalid_utf8(key)] = std::move(value);
        }
    }
}

}  // namespace dlcov
