#include "core/zones.h"

#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace tandem {
namespace {

const date::time_zone* Zone(const void* z) { return static_cast<const date::time_zone*>(z); }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Countries with several zones: the zone most of their people live in.
const std::map<std::string, std::string>& MainZones() {
  static const std::map<std::string, std::string> zones = {
      {"AR", "America/Argentina/Buenos_Aires"},
      {"AU", "Australia/Sydney"},
      {"BR", "America/Sao_Paulo"},
      {"CA", "America/Toronto"},
      {"CD", "Africa/Kinshasa"},
      {"CL", "America/Santiago"},
      {"CN", "Asia/Shanghai"},
      {"DE", "Europe/Berlin"},
      {"EC", "America/Guayaquil"},
      {"ES", "Europe/Madrid"},
      {"ID", "Asia/Jakarta"},
      {"KZ", "Asia/Almaty"},
      {"MN", "Asia/Ulaanbaatar"},
      {"MX", "America/Mexico_City"},
      {"MY", "Asia/Kuala_Lumpur"},
      {"NZ", "Pacific/Auckland"},
      {"PT", "Europe/Lisbon"},
      {"RU", "Europe/Moscow"},
      {"UA", "Europe/Kyiv"},
      {"US", "America/New_York"},
      {"UZ", "Asia/Tashkent"},
  };
  return zones;
}

struct CountryTables {
  std::map<std::string, std::string> zone_by_code;  // first zone listed per country
  std::map<std::string, std::string> code_by_name;  // lower-case English name → code
};

const CountryTables& Countries() {
  static const CountryTables tables = [] {
    CountryTables t;
    std::ifstream zones("/usr/share/zoneinfo/zone.tab");
    for (std::string line; std::getline(zones, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string code, coordinates, zone;
      if (fields >> code >> coordinates >> zone) t.zone_by_code.emplace(code, zone);
    }
    std::ifstream names("/usr/share/zoneinfo/iso3166.tab");
    for (std::string line; std::getline(names, line);) {
      if (line.size() < 4 || line[0] == '#') continue;
      t.code_by_name.emplace(Lower(line.substr(3)), line.substr(0, 2));
    }
    for (const auto& [alias, code] :
         std::map<std::string, std::string>{{"usa", "US"},
                                            {"united states of america", "US"},
                                            {"uk", "GB"},
                                            {"united kingdom", "GB"},
                                            {"great britain", "GB"},
                                            {"england", "GB"},
                                            {"scotland", "GB"},
                                            {"wales", "GB"},
                                            {"deutschland", "DE"},
                                            {"russia", "RU"},
                                            {"south korea", "KR"},
                                            {"korea", "KR"},
                                            {"the netherlands", "NL"},
                                            {"holland", "NL"},
                                            {"czech republic", "CZ"},
                                            {"uae", "AE"}}) {
      t.code_by_name.emplace(alias, code);
    }
    return t;
  }();
  return tables;
}

}  // namespace

std::optional<TimeZone> TimeZone::Find(std::string_view name) {
  if (name.empty()) return std::nullopt;
  try {
    return TimeZone(date::locate_zone(name), std::string(name));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

TimeZone TimeZone::Utc() {
  static const TimeZone utc = *Find("UTC");
  return utc;
}

LocalMoment TimeZone::Local(TimePoint t) const {
  auto local = Zone(zone_)->to_local(t);
  auto day = date::floor<date::days>(local);
  LocalMoment m;
  m.day = day.time_since_epoch().count();
  m.weekday = static_cast<int>(date::weekday(day).c_encoding());
  m.minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  return m;
}

TimePoint TimeZone::At(int64_t day, int minute) const {
  date::local_time<std::chrono::minutes> local =
      date::local_days(date::days(day)) + std::chrono::minutes(minute);
  date::local_info info = Zone(zone_)->get_info(local);
  switch (info.result) {
    case date::local_info::nonexistent:
      return std::chrono::time_point_cast<std::chrono::milliseconds>(info.second.begin);
    case date::local_info::ambiguous:
    case date::local_info::unique:
    default:
      return std::chrono::time_point_cast<std::chrono::milliseconds>(
          date::sys_time<std::chrono::minutes>(local.time_since_epoch()) -
          std::chrono::duration_cast<std::chrono::minutes>(info.first.offset));
  }
}

std::optional<std::string> CountryTimeZone(std::string_view country) {
  std::string text(country);
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t") + 1);
  if (text.empty()) return std::nullopt;
  const CountryTables& tables = Countries();
  std::string code;
  if (text.size() == 2) {
    code = text;
    std::transform(code.begin(), code.end(), code.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  } else if (auto it = tables.code_by_name.find(Lower(text)); it != tables.code_by_name.end()) {
    code = it->second;
  } else {
    return std::nullopt;
  }
  if (auto it = MainZones().find(code); it != MainZones().end()) return it->second;
  if (auto it = tables.zone_by_code.find(code); it != tables.zone_by_code.end()) return it->second;
  return std::nullopt;
}

std::optional<int> ParseClockMinutes(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  auto digit = [&](size_t i) { return std::isdigit(static_cast<unsigned char>(text[i])) != 0; };
  if (!digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  int h = (text[0] - '0') * 10 + (text[1] - '0');
  int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string LocalMinuteText(const TimeZone& zone, TimePoint t) {
  const LocalMoment m = zone.Local(t);
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(m.day))};
  return fmt::format("{:04}-{:02}-{:02} {} {}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     FormatClockMinutes(m.minute), zone.name());
}

std::string FormatClockMinutes(int minutes) {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

}  // namespace tandem
