// The encodings a CSV export arrives in: UTF-8 (with or without a byte-order mark, as
// Excel writes it) or Windows-1252 (Excel's "CSV" on Western Windows). A file is read as
// UTF-8 when it is valid UTF-8, as Windows-1252 when it is not but every byte means a
// character there, and refused otherwise, naming the line of the first byte that fits
// neither.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tandem {

enum class TextEncoding { kUtf8, kWindows1252 };

std::string_view TextEncodingName(TextEncoding encoding);

// Whether `text` is well-formed UTF-8 (no overlongs, surrogates or code points past
// U+10FFFF); `bad_at` gets the offset of the first bad byte when it is not.
bool IsValidUtf8(std::string_view text, size_t* bad_at = nullptr);

// The encoding of `sample` (a file's first bytes, a BOM already removed; `complete`: the
// whole file, so a sequence cut at its end is no excuse). Unprocessable
// "unknown_encoding" naming the line of the first byte neither encoding has.
StatusOr<TextEncoding> DetectEncoding(std::string_view sample, bool complete);

// `text` (Windows-1252) as UTF-8. Every byte has a character except 0x81, 0x8D, 0x8F,
// 0x90 and 0x9D, which DetectEncoding has ruled out.
std::string Windows1252ToUtf8(std::string_view text);

// The length of a UTF-8 byte-order mark at the start of `text` (3), or 0.
size_t Utf8BomLength(std::string_view text);

}  // namespace tandem
