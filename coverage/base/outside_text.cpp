#include "outside_text.h"

namespace dlcov {

namespace {

// The length of the valid UTF-8 sequence at `at`, 0 when the byte there starts none.
size_t sequence_length(std::string_view s, size_t at) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char b = byte(at);
    if (b < 0x80) return 1;
    size_t length;
    unsigned char low = 0x80, high = 0xbf;  // the allowed range of the second byte
    if (b >= 0xc2 && b <= 0xdf) {
        length = 2;
    } else if (b >= 0xe0 && b <= 0xef) {
        length = 3;
        if (b == 0xe0) low = 0xa0;   // no overlong forms
        if (b == 0xed) high = 0x9f;  // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
        length = 4;
        if (b == 0xf0) low = 0x90;   // no overlong forms
        if (b == 0xf4) high = 0x8f;  // nothing past U+10FFFF
    } else {
        return 0;
    }
    if (at + length > s.size()) return 0;
    if (byte(at + 1) < low || byte(at + 1) > high) return 0;
    for (size_t i = 2; i < length; ++i)
        if (byte(at + i) < 0x80 || byte(at + i) > 0xbf) return 0;
    return length;
}

}  // namespace

bool is_valid_utf8(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size();) {
        size_t n = sequence_length(bytes, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string escape_invalid_utf8(std::string_view bytes, std::string_view prefix) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        size_t n = sequence_length(bytes, i);
        if (n > 0) {
            out.append(bytes.substr(i, n));
            i += n;
            continue;
        }
        auto b = static_cast<unsigned char>(bytes[i++]);
        out.append(prefix);
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

std::string utf8_prefix(std::string_view text, size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    // A cut before a continuation byte (10xxxxxx) falls inside a character: back off to its start,
    // at most 3 bytes before (invalid text is cut where asked).
    auto continuation = [&](size_t i) { return (static_cast<unsigned char>(text[i]) & 0xc0) == 0x80; };
    size_t end = max_bytes;
    while (end > 0 && max_bytes - end < 3 && continuation(end)) --end;
    if (continuation(end)) end = max_bytes;
    return std::string(text.substr(0, end));
}

}  // namespace dlcov
