// Reading what a person (or their out-of-office) wrote: their own text without the
// quoted mail, the day they are back, and a request not to be called. English, German
// and French wordings; see email/inbound_classify.h for the contracts.
#include <algorithm>
#include <array>
#include <cstdint>

#include "core/text.h"
#include "email/inbound_classify.h"

namespace tandem::email {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr size_t kMaxOwnText = 16 * 1024;
constexpr size_t kMaxSentence = 300;
constexpr size_t kSentenceReach = 400;  // bytes a sentence is looked for either side

bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Whether text[i] ('.', '!' or '?') ends a sentence: followed by white space or the
// end, and for a '.', not the dot of a date or number ("12.01. ").
bool EndsSentence(std::string_view text, size_t i) {
  const char c = text[i];
  if (c != '.' && c != '!' && c != '?') return false;
  if (i + 1 < text.size() && !IsSpace(text[i + 1])) return false;
  return c != '.' || i == 0 || !IsDigit(text[i - 1]);
}

// Whether a blank line (two line breaks with only white space between) ends at `i`.
bool BlankLineAt(std::string_view text, size_t i) {
  if (text[i] != '\n') return false;
  for (size_t j = i; j-- > 0;) {
    if (text[j] == '\n') return true;
    if (!IsSpace(text[j])) return false;
  }
  return false;
}

// The sentence around [begin, end): collapsed to one line, at most kMaxSentence bytes.
std::string SentenceAround(std::string_view text, size_t begin, size_t end) {
  size_t start = begin;
  while (start > 0 && begin - start < kSentenceReach) {
    if (EndsSentence(text, start - 1) || BlankLineAt(text, start - 1)) break;
    --start;
  }
  size_t stop = end;
  while (stop < text.size() && stop - end < kSentenceReach) {
    if (BlankLineAt(text, stop)) break;
    if (EndsSentence(text, stop)) {
      ++stop;
      break;
    }
    ++stop;
  }
  return HeaderText(text.substr(start, stop - start), kMaxSentence);
}

// `needle` at a word start in `hay` from `from` on; npos when absent.
size_t FindWord(std::string_view hay, std::string_view needle, size_t from = 0) {
  for (size_t at = hay.find(needle, from); at != std::string_view::npos;
       at = hay.find(needle, at + 1)) {
    if (at == 0 || !IsWordByte(hay[at - 1])) return at;
  }
  return std::string_view::npos;
}

// --- Quoted mail -----------------------------------------------------------------

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A line that introduces quoted mail: an attribution or a separator.
bool StartsQuote(std::string_view lower_line) {
  const std::string_view line = TrimSpace(lower_line);
  static constexpr std::array<std::string_view, 6> kEndings = {
      "wrote:", "schrieb:", "a écrit :", "a écrit:", "a ecrit :", "a ecrit:"};
  for (std::string_view ending : kEndings) {
    if (EndsWith(line, ending)) return true;
  }
  // "Am 1. Dez. 2026 um 10:02 schrieb Sam Rep <rep@example.com>:"
  if (line.starts_with("am ") && line.find(" schrieb ") != std::string_view::npos &&
      line.ends_with(':')) {
    return true;
  }
  static constexpr std::array<std::string_view, 5> kSeparators = {
      "-----original message-----", "----- original message -----",
      "-----ursprüngliche nachricht-----", "-----message d'origine-----",
      "________________________________"};
  return std::any_of(kSeparators.begin(), kSeparators.end(),
                     [&](std::string_view s) { return line.starts_with(s); });
}

// An Outlook header block of a quoted message: "From:"/"Von:"/"De :" followed within
// three lines by "Sent:"/"Gesendet:"/"Envoyé :"/"Date:".
bool StartsHeaderBlock(const std::vector<std::string_view>& lower_lines, size_t i) {
  const std::string_view line = TrimSpace(lower_lines[i]);
  if (!(line.starts_with("from:") || line.starts_with("von:") || line.starts_with("de :") ||
        line.starts_with("de:"))) {
    return false;
  }
  for (size_t j = i + 1; j < lower_lines.size() && j <= i + 3; ++j) {
    const std::string_view next = TrimSpace(lower_lines[j]);
    if (next.starts_with("sent:") || next.starts_with("gesendet:") ||
        next.starts_with("envoyé :") || next.starts_with("envoyé:") || next.starts_with("date:")) {
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::string OwnText(std::string_view text) {
  text = text.substr(0, std::min(text.size(), 4 * kMaxOwnText));
  const std::string lower = LowerAscii(text);
  const std::vector<std::string_view> lines = Lines(text);
  const std::vector<std::string_view> lower_lines = Lines(lower);
  std::string out;
  for (size_t i = 0; i < lines.size() && out.size() < kMaxOwnText; ++i) {
    if (StartsQuote(lower_lines[i]) || StartsHeaderBlock(lower_lines, i)) break;
    if (TrimSpace(lines[i]).starts_with(">")) continue;
    out.append(lines[i]);
    out.push_back('\n');
  }
  if (out.size() > kMaxOwnText) out.resize(kMaxOwnText);
  return out;
}

// --- Do not call -----------------------------------------------------------------

std::string FindDoNotCall(std::string_view text) {
  // Each phrase as written with a straight apostrophe; the typographic one (’) is
  // tried too.
  static const std::vector<std::string> kPhrases = [] {
    std::vector<std::string> phrases = {"do not call",
                                        "don't call",
                                        "dont call",
                                        "do not phone",
                                        "don't phone",
                                        "do not ring",
                                        "don't ring",
                                        "not to call me",
                                        "not to be called",
                                        "no phone calls",
                                        "no calls",
                                        "please no calls",
                                        "nicht anrufen",
                                        "keine anrufe",
                                        "rufen sie mich nicht an",
                                        "rufen sie nicht an",
                                        "ruf mich nicht an",
                                        "keine telefonate",
                                        "ne pas appeler",
                                        "ne pas m'appeler",
                                        "ne m'appelez pas",
                                        "ne pas téléphoner",
                                        "ne pas me téléphoner",
                                        "pas d'appels",
                                        "aucun appel"};
    const size_t n = phrases.size();
    for (size_t i = 0; i < n; ++i) {
      std::string curly = phrases[i];
      for (size_t at = curly.find('\''); at != std::string::npos; at = curly.find('\'', at + 3)) {
        curly.replace(at, 1, "\xE2\x80\x99");
      }
      if (curly != phrases[i]) phrases.push_back(std::move(curly));
    }
    return phrases;
  }();
  const std::string lower = LowerAscii(text);
  size_t best = std::string_view::npos, best_len = 0;
  for (const std::string& phrase : kPhrases) {
    const size_t at = FindWord(lower, phrase);
    if (at < best) {
      best = at;
      best_len = phrase.size();
    }
  }
  // German puts words between the verb and its "nicht an": "rufen Sie mich in dieser
  // Zeit bitte nicht an".
  struct Pair {
    std::string_view first, then;
  };
  static constexpr Pair kPairs[] = {
      {"rufen sie mich", "nicht an"}, {"ruf mich", "nicht an"}, {"rufen sie", "nicht an"}};
  for (const Pair& pair : kPairs) {
    const size_t at = FindWord(lower, pair.first);
    if (at == std::string_view::npos || at >= best) continue;
    const size_t then = lower.find(pair.then, at + pair.first.size());
    if (then != std::string_view::npos && then - at <= 60) {
      best = at;
      best_len = then + pair.then.size() - at;
    }
  }
  if (best == std::string_view::npos) return {};
  return SentenceAround(text, best, best + best_len);
}

// --- Return dates ------------------------------------------------------------------

namespace {

struct Token {
  enum Kind { kNumber, kWord, kPunct } kind;
  std::string_view text;
  size_t begin = 0, end = 0;
};

std::vector<Token> Tokenize(std::string_view lower) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < lower.size()) {
    const char c = lower[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    Token::Kind kind = Token::kPunct;
    if (IsDigit(c)) {
      kind = Token::kNumber;
      while (j < lower.size() && IsDigit(lower[j])) ++j;
    } else if (IsWordByte(c)) {
      kind = Token::kWord;
      while (j < lower.size() && IsWordByte(lower[j]) && !IsDigit(lower[j])) ++j;
    }
    tokens.push_back({kind, lower.substr(i, j - i), i, j});
    i = j;
  }
  return tokens;
}

int MonthOf(std::string_view word) {
  struct Name {
    std::string_view name;
    int month;
  };
  static constexpr Name kMonths[] = {
      {"january", 1},   {"jan", 1},       {"januar", 1},    {"jänner", 1},    {"janvier", 1},
      {"janv", 1},      {"february", 2},  {"feb", 2},       {"februar", 2},   {"février", 2},
      {"fevrier", 2},   {"févr", 2},      {"march", 3},     {"mar", 3},       {"märz", 3},
      {"maerz", 3},     {"mär", 3},       {"mars", 3},      {"april", 4},     {"apr", 4},
      {"avril", 4},     {"avr", 4},       {"may", 5},       {"mai", 5},       {"june", 6},
      {"jun", 6},       {"juni", 6},      {"juin", 6},      {"july", 7},      {"jul", 7},
      {"juli", 7},      {"juillet", 7},   {"juil", 7},      {"august", 8},    {"aug", 8},
      {"août", 8},      {"aout", 8},      {"september", 9}, {"sep", 9},       {"sept", 9},
      {"septembre", 9}, {"october", 10},  {"oct", 10},      {"oktober", 10},  {"okt", 10},
      {"octobre", 10},  {"november", 11}, {"nov", 11},      {"novembre", 11}, {"december", 12},
      {"dec", 12},      {"dezember", 12}, {"dez", 12},      {"décembre", 12}, {"decembre", 12},
      {"déc", 12},
  };
  for (const Name& n : kMonths) {
    if (n.name == word) return n.month;
  }
  return 0;
}

// 0 = Sunday … 6 = Saturday; -1 for none.
int WeekdayOf(std::string_view word) {
  struct Name {
    std::string_view name;
    int weekday;
  };
  static constexpr Name kDays[] = {
      {"sunday", 0},   {"monday", 1},     {"tuesday", 2},  {"wednesday", 3}, {"thursday", 4},
      {"friday", 5},   {"saturday", 6},   {"sonntag", 0},  {"montag", 1},    {"dienstag", 2},
      {"mittwoch", 3}, {"donnerstag", 4}, {"freitag", 5},  {"samstag", 6},   {"dimanche", 0},
      {"lundi", 1},    {"mardi", 2},      {"mercredi", 3}, {"jeudi", 4},     {"vendredi", 5},
      {"samedi", 6},
  };
  for (const Name& n : kDays) {
    if (n.name == word) return n.weekday;
  }
  return -1;
}

bool IsOrdinalSuffix(std::string_view word) {
  return word == "st" || word == "nd" || word == "rd" || word == "th" || word == "er" ||
         word == "e";
}

int NumberOf(const Token& t) {
  if (t.kind != Token::kNumber || t.text.size() > 4) return -1;
  int n = 0;
  for (char c : t.text) n = n * 10 + (c - '0');
  return n;
}

// A date as written: a year (0 when none), a month and a day; or a weekday; or a day
// offset ("tomorrow").
struct Mention {
  size_t begin = 0, end = 0;  // bytes of the text
  int y = 0, m = 0, d = 0;
  int weekday = -1;
  int offset = 0;
};

// The tokens, asked about by position (a position past the end is nothing).
struct Tokens {
  const std::vector<Token>& t;
  bool Is(size_t k, std::string_view text) const { return k < t.size() && t[k].text == text; }
  int Num(size_t k) const { return k < t.size() ? NumberOf(t[k]) : -1; }
  bool Word(size_t k) const { return k < t.size() && t[k].kind == Token::kWord; }
  size_t Size(size_t k) const { return k < t.size() ? t[k].text.size() : 0; }
};

int FullYear(int y) { return y < 100 ? 2000 + y : y; }

// 2027-01-12, 12.01. / 12.01.2027 / 12.1.27, and 13/01/2027 or 01/13/2027 (only when
// the order is plain): the token after it, or `i`.
size_t MatchNumericDate(const Tokens& k, size_t i, Mention& out) {
  const std::vector<Token>& t = k.t;
  const int a = k.Num(i);
  if (a >= 1000 && k.Size(i) == 4 && k.Is(i + 1, "-") && k.Num(i + 2) > 0 && k.Is(i + 3, "-") &&
      k.Num(i + 4) > 0) {
    out = {t[i].begin, t[i + 4].end, a, k.Num(i + 2), k.Num(i + 4)};
    return i + 5;
  }
  if (a < 1 || a > 31 || k.Size(i) > 2) return i;
  if (k.Is(i + 1, ".") && k.Num(i + 2) >= 1 && k.Num(i + 2) <= 12 && k.Size(i + 2) <= 2 &&
      k.Is(i + 3, ".")) {
    out = {t[i].begin, t[i + 3].end, 0, k.Num(i + 2), a};
    if (k.Num(i + 4) >= 0 && (k.Size(i + 4) == 4 || k.Size(i + 4) == 2) &&
        t[i + 4].begin == t[i + 3].end) {
      out.y = FullYear(k.Num(i + 4));
      out.end = t[i + 4].end;
      return i + 5;
    }
    return i + 4;
  }
  const int b = k.Num(i + 2);
  if (!k.Is(i + 1, "/") || b < 1 || b > 31) return i;
  if (a > 12 && b <= 12) {
    out = {t[i].begin, t[i + 2].end, 0, b, a};
  } else if (b > 12 && a <= 12) {
    out = {t[i].begin, t[i + 2].end, 0, a, b};
  } else {
    return i;
  }
  if (k.Is(i + 3, "/") && k.Num(i + 4) >= 0) {
    out.y = FullYear(k.Num(i + 4));
    out.end = t[i + 4].end;
    return i + 5;
  }
  return i + 3;
}

// 12 January / 12th of January / 12. Januar / 1er janvier [2027].
size_t MatchDayMonth(const Tokens& k, size_t i, Mention& out) {
  const std::vector<Token>& t = k.t;
  const int d = k.Num(i);
  if (d < 1 || d > 31 || k.Size(i) > 2) return i;
  size_t m = i + 1;
  if (k.Is(m, ".") || (k.Word(m) && IsOrdinalSuffix(t[m].text) && t[m].begin == t[i].end)) ++m;
  if (k.Is(m, "of")) ++m;
  if (!k.Word(m) || MonthOf(t[m].text) == 0) return i;
  out = {t[i].begin, t[m].end, 0, MonthOf(t[m].text), d};
  if (k.Is(m + 1, ".")) ++m;
  if (k.Num(m + 1) >= 1000 && k.Size(m + 1) == 4) {
    out.y = k.Num(m + 1);
    out.end = t[m + 1].end;
    return m + 2;
  }
  return m + 1;
}

// January 12th[, 2027].
size_t MatchMonthDay(const Tokens& k, size_t i, Mention& out) {
  const std::vector<Token>& t = k.t;
  if (!k.Word(i) || MonthOf(t[i].text) == 0) return i;
  size_t d = i + 1;
  if (k.Is(d, ".")) ++d;
  const int day = k.Num(d);
  if (day < 1 || day > 31 || k.Size(d) > 2) return i;
  out = {t[i].begin, t[d].end, 0, MonthOf(t[i].text), day};
  if (k.Word(d + 1) && IsOrdinalSuffix(t[d + 1].text) && t[d + 1].begin == t[d].end) {
    ++d;
    out.end = t[d].end;
  }
  size_t y = d + 1;
  if (k.Is(y, ",")) ++y;
  if (k.Num(y) >= 1000 && k.Size(y) == 4) {
    out.y = k.Num(y);
    out.end = t[y].end;
    return y + 1;
  }
  return d + 1;
}

// Tries the date patterns at token `i`; on a match fills `out` and returns the token
// after it, else `i`.
size_t MatchDate(const std::vector<Token>& t, size_t i, Mention& out) {
  const Tokens k{t};
  for (auto match : {&MatchNumericDate, &MatchDayMonth, &MatchMonthDay}) {
    const size_t next = match(k, i, out);
    if (next > i) return next;
  }
  return i;
}

std::vector<Mention> FindMentions(const std::vector<Token>& t) {
  std::vector<Mention> mentions;
  for (size_t i = 0; i < t.size();) {
    Mention m;
    const size_t next = MatchDate(t, i, m);
    if (next > i) {
      mentions.push_back(m);
      i = next;
      continue;
    }
    if (t[i].kind == Token::kWord) {
      if (const int wd = WeekdayOf(t[i].text); wd >= 0) {
        // "Monday, 12 January": the date says it; the weekday alone otherwise.
        Mention date;
        size_t k = i + 1;
        if (k < t.size() && t[k].text == ",") ++k;
        if (k < t.size() && (t[k].text == "the" || t[k].text == "den" || t[k].text == "le")) ++k;
        if (k >= t.size() || MatchDate(t, k, date) == k) {
          mentions.push_back({t[i].begin, t[i].end, 0, 0, 0, wd});
        }
      } else if (t[i].text == "tomorrow" || t[i].text == "demain") {
        mentions.push_back({t[i].begin, t[i].end, 0, 0, 0, -1, 1});
      }
    }
    ++i;
  }
  return mentions;
}

enum class Cue { kNone, kBackOn, kAwayUntil };

// How the words between `from` (the end of the previous date) and the date at `begin`
// read it: the nearest cue that reaches it, within the sentence.
Cue CueBefore(std::string_view lower, size_t from, size_t begin) {
  struct Word {
    std::string_view text;
    size_t reach;  // bytes the cue may stand before the date
    Cue cue;
  };
  static constexpr Word kCues[] = {
      {"back", 40, Cue::kBackOn},
      {"return", 40, Cue::kBackOn},
      {"again", 25, Cue::kBackOn},
      {"available from", 10, Cue::kBackOn},
      {"available on", 10, Cue::kBackOn},
      {"zurück", 40, Cue::kBackOn},
      {"zurueck", 40, Cue::kBackOn},
      {"wieder", 40, Cue::kBackOn},
      {"erreichbar ab", 12, Cue::kBackOn},
      {"retour", 40, Cue::kBackOn},
      {"reprend", 40, Cue::kBackOn},
      {"rentre", 30, Cue::kBackOn},
      {"until", 40, Cue::kAwayUntil},
      {"till", 15, Cue::kAwayUntil},
      {"through", 15, Cue::kAwayUntil},
      {"thru", 15, Cue::kAwayUntil},
      {"to ", 5, Cue::kAwayUntil},
      {"bis ", 30, Cue::kAwayUntil},
      {"bis:", 5, Cue::kAwayUntil},
      {"jusqu'", 12, Cue::kAwayUntil},
      {"jusqu\xE2\x80\x99", 14, Cue::kAwayUntil},
      {"au ", 4, Cue::kAwayUntil},
  };
  // The sentence the date is in starts after the last sentence end before it.
  for (size_t i = begin; i-- > from;) {
    if (EndsSentence(lower, i) || BlankLineAt(lower, i)) {
      from = i + 1;
      break;
    }
  }
  const std::string_view window = lower.substr(from, begin - from);
  Cue best = Cue::kNone;
  size_t best_gap = std::string_view::npos;
  for (const Word& w : kCues) {
    for (size_t at = FindWord(window, w.text); at != std::string_view::npos;
         at = FindWord(window, w.text, at + 1)) {
      const size_t gap = window.size() - (at + w.text.size());
      if (at + w.text.size() <= window.size() && gap <= w.reach && gap < best_gap) {
        best_gap = gap;
        best = w.cue;
      }
    }
  }
  return best;
}

// "ab dem 12.01. wieder im Büro": "wieder" soon after the date, before a comma or the
// sentence's end.
bool BackCueAfter(std::string_view lower, size_t end) {
  const std::string_view after = lower.substr(end, std::min<size_t>(30, lower.size() - end));
  const size_t at = FindWord(after, "wieder");
  if (at == std::string_view::npos) return false;
  for (size_t i = 0; i < at; ++i) {
    if (after[i] == ',' || EndsSentence(after, i)) return false;
  }
  return true;
}

// The day a mention names, read against `sent`.
std::optional<sys_days> Resolve(const Mention& m, year_month_day sent) {
  const sys_days sent_days{sent};
  if (m.offset > 0) return sent_days + days(m.offset);
  if (m.weekday >= 0) {
    const unsigned today = std::chrono::weekday(sent_days).c_encoding();
    unsigned ahead = (static_cast<unsigned>(m.weekday) + 7 - today) % 7;
    if (ahead == 0) ahead = 7;
    return sent_days + days(ahead);
  }
  if (m.y > 0) {
    const year_month_day ymd{year(m.y), month(static_cast<unsigned>(m.m)),
                             day(static_cast<unsigned>(m.d))};
    if (!ymd.ok()) return std::nullopt;
    return sys_days(ymd);
  }
  year_month_day ymd{sent.year(), month(static_cast<unsigned>(m.m)),
                     day(static_cast<unsigned>(m.d))};
  if (ymd.ok() && sys_days(ymd) < sent_days && sent_days - sys_days(ymd) <= days(31)) {
    return std::nullopt;  // a day just past, not next year's
  }
  if (!ymd.ok() || sys_days(ymd) < sent_days) {
    ymd = year_month_day{sent.year() + std::chrono::years(1), ymd.month(), ymd.day()};
  }
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd);
}

}  // namespace

std::optional<NamedDay> FindReturnDay(std::string_view text, year_month_day sent) {
  const std::string lower = LowerAscii(text);
  const std::vector<Token> tokens = Tokenize(lower);
  const std::vector<Mention> mentions = FindMentions(tokens);
  std::optional<NamedDay> best;
  size_t previous_end = 0;
  for (const Mention& m : mentions) {
    Cue cue = CueBefore(lower, previous_end, m.begin);
    previous_end = m.end;
    if (cue != Cue::kAwayUntil && BackCueAfter(lower, m.end)) cue = Cue::kBackOn;
    if (cue == Cue::kNone) continue;
    std::optional<sys_days> named = Resolve(m, sent);
    if (!named) continue;
    const sys_days back = cue == Cue::kAwayUntil ? *named + days(1) : *named;
    if (back <= sys_days(sent) || back > sys_days(sent) + days(366)) continue;
    if (!best || back > sys_days(best->day)) {
      best = NamedDay{year_month_day(back), SentenceAround(text, m.begin, m.end)};
    }
  }
  return best;
}

}  // namespace tandem::email
