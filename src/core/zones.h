// Time zones: local wall-clock time for users and leads, from the system's zoneinfo
// database (tzdata), with daylight-saving changes applied.
//
// Thread-safety: a TimeZone is immutable; Find may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace tandem {

// A moment as a wall clock in some zone shows it.
struct LocalMoment {
  int64_t day = 0;  // local calendar day, days since 1970-01-01
  int weekday = 0;  // 0 = Sunday … 6 = Saturday
  int minute = 0;   // minutes after local midnight
};

class TimeZone {
 public:
  // The zone of an IANA name such as "Europe/Berlin"; nullopt when unknown.
  static std::optional<TimeZone> Find(std::string_view name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }
  LocalMoment Local(TimePoint t) const;
  // The moment local `day` shows `minute` (may be 1440 = the next midnight). A time
  // the clocks skip (spring forward) maps to the first moment after the gap; a time
  // they show twice (fall back) maps to the first of the two.
  TimePoint At(int64_t day, int minute) const;

 private:
  TimeZone(const void* zone, std::string name) : zone_(zone), name_(std::move(name)) {}
  const void* zone_;  // date::time_zone, owned by the database
  std::string name_;
};

// The main time zone of a country given as an ISO 3166 code ("DE") or an English name
// ("Germany", "United States"); nullopt when the country is unknown. Countries with
// several zones answer their most populous one.
std::optional<std::string> CountryTimeZone(std::string_view country);

// A moment as people read it, in one form everywhere: "2026-12-09 14:00 Europe/Berlin"
// (the local date, the 24-hour time, the zone's name).
std::string LocalMinuteText(const TimeZone& zone, TimePoint t);

// "HH:MM" → minutes after midnight (24:00 allowed); nullopt when malformed.
std::optional<int> ParseClockMinutes(std::string_view text);
std::string FormatClockMinutes(int minutes);

}  // namespace tandem
