#include "core/time_format.h"

#include <fmt/format.h>

namespace tandem {
namespace {

// Reads exactly `n` digits at text[pos...]; advances pos.
bool ReadDigits(std::string_view text, size_t& pos, int n, int& out) {
  if (pos + static_cast<size_t>(n) > text.size()) return false;
  int value = 0;
  for (int i = 0; i < n; ++i) {
    char c = text[pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<size_t>(n);
  out = value;
  return true;
}

}  // namespace

std::optional<TimePoint> ParseIsoTime(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  if (!ReadDigits(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, mo) || pos >= text.size() || text[pos++] != '-' ||
      !ReadDigits(text, pos, 2, d)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  int offset_minutes = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    ++pos;
    if (!ReadDigits(text, pos, 2, h) || pos >= text.size() || text[pos++] != ':' ||
        !ReadDigits(text, pos, 2, mi)) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadDigits(text, pos, 2, s)) return std::nullopt;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (digits < 3) ms = ms * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 3; ++i) ms *= 10;
      }
    }
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
    if (pos < text.size()) {
      char z = text[pos];
      if (z == 'Z' || z == 'z') {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!ReadDigits(text, pos, 2, oh)) return std::nullopt;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (!ReadDigits(text, pos, 2, om)) return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_minutes = (oh * 60 + om) * (z == '-' ? -1 : 1);
      } else {
        return std::nullopt;
      }
    }
    if (pos != text.size()) return std::nullopt;
  }
  auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) + milliseconds(ms) -
           minutes(offset_minutes);
  return time_point_cast<milliseconds>(t);
}

std::string FormatIsoTime(TimePoint t) {
  using namespace std::chrono;
  // Hand-written: this runs for every stored event, where fmt's parsing shows up.
  auto days_part = floor<days>(t);
  year_month_day ymd{days_part};
  int64_t ms_of_day = (t - days_part).count();
  char out[25] = "0000-00-00T00:00:00.000Z";
  auto put = [&out](size_t pos, int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      out[pos + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return fmt::format("{}", ToUnixMillis(t));  // outside RFC 3339
  put(0, year, 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, ms_of_day / 3600000, 2);
  put(14, ms_of_day / 60000 % 60, 2);
  put(17, ms_of_day / 1000 % 60, 2);
  put(20, ms_of_day % 1000, 3);
  return std::string(out, 24);
}

}  // namespace tandem
