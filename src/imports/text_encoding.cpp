#include "imports/text_encoding.h"

#include <fmt/format.h>

#include <algorithm>

namespace tandem {
namespace {

// Windows-1252's 0x80-0x9F; 0 where the byte has no character.
constexpr char16_t kHigh[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

int64_t LineOf(std::string_view text, size_t offset) {
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

}  // namespace

std::string_view TextEncodingName(TextEncoding encoding) {
  return encoding == TextEncoding::kUtf8 ? "UTF-8" : "Windows-1252";
}

bool IsValidUtf8(std::string_view text, size_t* bad_at) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    size_t extra = 0;
    char32_t min = 0;
    char32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      min = 0x80;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      min = 0x800;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else {
      if (bad_at) *bad_at = i;
      return false;
    }
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) {
        if (bad_at) *bad_at = i;
        return false;
      }
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (bad_at) *bad_at = i;
      return false;
    }
    i += extra + 1;
  }
  return true;
}

StatusOr<TextEncoding> DetectEncoding(std::string_view sample, bool complete) {
  size_t bad = 0;
  if (IsValidUtf8(sample, &bad)) return TextEncoding::kUtf8;
  // A multi-byte sequence cut by the end of a partial sample is still UTF-8: a lead byte
  // followed, to the end, by fewer continuation bytes than it needs.
  if (!complete) {
    const auto lead = static_cast<unsigned char>(sample[bad]);
    const size_t needs = (lead & 0xE0) == 0xC0   ? 1
                         : (lead & 0xF0) == 0xE0 ? 2
                         : (lead & 0xF8) == 0xF0 ? 3
                                                 : 0;
    const size_t present = sample.size() - bad - 1;
    bool continuations = true;
    for (size_t k = bad + 1; k < sample.size(); ++k) {
      continuations = continuations && (static_cast<unsigned char>(sample[k]) & 0xC0) == 0x80;
    }
    if (needs > 0 && present < needs && continuations) return TextEncoding::kUtf8;
  }
  for (size_t i = 0; i < sample.size(); ++i) {
    const auto c = static_cast<unsigned char>(sample[i]);
    if (c >= 0x80 && c <= 0x9F && kHigh[c - 0x80] == 0) {
      return Unprocessable(
          "unknown_encoding",
          fmt::format("line {}: byte 0x{:02X} is neither UTF-8 nor Windows-1252; save the file "
                      "as UTF-8 (CSV UTF-8 in Excel)",
                      LineOf(sample, i), c));
    }
  }
  return TextEncoding::kWindows1252;
}

std::string Windows1252ToUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else if (c < 0xA0) {
      AppendUtf8(out, kHigh[c - 0x80] != 0 ? kHigh[c - 0x80] : 0xFFFD);
    } else {
      AppendUtf8(out, c);  // Latin-1 there: the code point is the byte
    }
  }
  return out;
}

size_t Utf8BomLength(std::string_view text) { return text.starts_with("\xEF\xBB\xBF") ? 3 : 0; }

}  // namespace tandem
