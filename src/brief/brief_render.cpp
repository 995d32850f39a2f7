// The brief as text: one outline built from the JSON, written out as Markdown (owner
// notifications, the API's ?format=markdown) or HTML (?format=html).
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "brief/brief.h"
#include "core/text.h"

namespace tandem {
namespace {

using nlohmann::json;

struct Section {
  std::string title;
  std::vector<std::string> paragraphs;
  std::vector<std::string> bullets;
};

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

// "2026-11-22T14:05:09.000Z" → "2026-11-22 14:05"
std::string ShortTime(const std::string& at) {
  if (at.size() < 16) return at;
  return at.substr(0, 10) + " " + at.substr(11, 5);
}

// How a value from the brief is written into the text: as it is for HTML (each line is
// escaped whole), escaped for Markdown.
using Escape = std::string (*)(std::string_view);

std::string AsIs(std::string_view text) { return std::string(text); }

bool AlphaNumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}

// A value (a trait, an event property, a catalog text) as literal Markdown text: line
// breaks and control characters become spaces; Markdown's inline metacharacters are
// backslash-escaped; HTML's <, > and & become entities; and what would open a block at
// the start of a line (#, >, +, -, =, "1.") is escaped there. An underscore inside a
// word (paid_social) cannot emphasize and stays as it is.
std::string MarkdownText(std::string_view raw) {
  std::string text;
  for (char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    text += u < 0x20 || u == 0x7f ? ' ' : c;
  }
  std::string out;
  out.reserve(text.size() + 8);
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool at_start = i == 0;
    const char next = i + 1 < text.size() ? text[i + 1] : ' ';
    switch (c) {
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '&':
        out += "&amp;";
        continue;
      case '\\':
      case '`':
      case '*':
      case '[':
      case ']':
      case '~':
      case '|':
        out += '\\';
        break;
      case '_':
        if (i == 0 || !AlphaNumeric(text[i - 1]) || !AlphaNumeric(next)) out += '\\';
        break;
      case '#':
      case '=':
        if (at_start) out += '\\';
        break;
      case '+':
      case '-':
        if (at_start && next == ' ') out += '\\';
        break;
      case '.':
      case ')':
        if (digits > 0 && i == digits && next == ' ') out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

std::string ReasonsText(const json& answer, Escape esc) {
  std::string out;
  for (const json& r : answer["reasons"]) {
    out += fmt::format("{}{}: {}", out.empty() ? "" : "; ",
                       Str(r, "severity") == "warn" ? "note" : esc(Str(r, "code")),
                       esc(Str(r, "message")));
  }
  return out;
}

// Every value goes through V (escaped); the words around them are Tandem's own.
struct Values {
  Escape esc;
  std::string operator()(const json& j, const char* key) const { return esc(Str(j, key)); }
  std::string Any(const json& j) const {
    return esc(j.is_string() ? j.get<std::string>() : j.dump());
  }
};

void OutlineWhyNow(const json& b, const Values& V, std::vector<Section>& out) {
  Section s{"Why now", {V(b["why_now"], "text")}, {}};
  out.push_back(std::move(s));
}

void OutlineWho(const json& b, const Values& V, std::vector<Section>& out) {
  const json& w = b["who"];
  Section s{"Who", {}, {}};
  std::string line = V(w, "name").empty() ? "(no name)" : V(w, "name");
  if (!V(w, "title").empty()) line += ", " + V(w, "title");
  if (!V(w, "company").empty()) line += " at " + V(w, "company");
  s.paragraphs.push_back(line);
  std::string company;
  if (!V(w, "company_size").empty()) company += V(w, "company_size") + " employees";
  if (!V(w, "industry").empty()) company += (company.empty() ? "" : ", ") + V(w, "industry");
  if (!company.empty()) s.bullets.push_back("Company: " + company);
  if (!V(w, "email").empty()) s.bullets.push_back("Email: " + V(w, "email"));
  if (!V(w, "phone").empty()) s.bullets.push_back("Phone: " + V(w, "phone"));
  if (!V(w, "location").empty()) s.bullets.push_back("Location: " + V(w, "location"));
  s.bullets.push_back(V(w, "local_time").empty()
                          ? "Local time: unknown (no time zone)"
                          : fmt::format("Local time: {} ({}, from {})", V(w, "local_time"),
                                        V(w, "timezone"), V(w, "timezone_source")));
  if (!V(w, "preferred_channel").empty())
    s.bullets.push_back("Prefers: " + V(w, "preferred_channel"));
  if (!w["unknown"].empty()) {
    std::string unknown;
    for (const json& u : w["unknown"]) unknown += (unknown.empty() ? "" : ", ") + V.Any(u);
    s.bullets.push_back("Unknown: " + unknown);
  }
  if (!V(w, "note").empty()) s.paragraphs.push_back(V(w, "note"));
  out.push_back(std::move(s));
}

void OutlineContact(const json& b, const Values& V, std::vector<Section>& out) {
  const json& c = b["contact"];
  Section s{"Can I contact them", {}, {}};
  for (const char* channel : {"call", "email"}) {
    const json& answer = c[channel];
    std::string reasons = ReasonsText(answer, V.esc);
    s.bullets.push_back(fmt::format("{}: {}{}", channel == std::string("call") ? "Call" : "Email",
                                    answer["allowed"].get<bool>() ? "yes" : "no",
                                    reasons.empty() ? "" : " — " + reasons));
  }
  if (!V(c, "note").empty()) s.paragraphs.push_back(V(c, "note"));
  out.push_back(std::move(s));
}

void OutlineJourney(const json& b, const Values& V, std::vector<Section>& out) {
  const json& j = b["journey"];
  Section s{"Journey", {}, {}};
  s.paragraphs.push_back(V(j, "text").empty() ? V(j, "note") : V(j, "text"));
  if (j["earlier_moments"].get<int64_t>() > 0) {
    s.bullets.push_back(fmt::format("({} earlier moments)", j["earlier_moments"].get<int64_t>()));
  }
  for (const json& m : j["key_moments"]) {
    s.bullets.push_back(fmt::format("{} — {}", ShortTime(V(m, "at")), V(m, "text")));
  }
  if (!j["topics"].empty()) {
    std::string topics;
    for (const json& t : j["topics"]) topics += (topics.empty() ? "" : ", ") + V(t, "topic");
    s.paragraphs.push_back("Topics of interest: " + topics + ".");
  }
  out.push_back(std::move(s));
}

void OutlineCampaign(const json& b, const Values& V, std::vector<Section>& out) {
  const json& c = b["campaign"];
  Section s{"Campaign", {}, {}};
  for (const json& k : c["campaigns"]) {
    s.bullets.push_back(fmt::format("{} (via {})", V(k, "name"), V(k, "via")));
    if (!V(k, "persona").empty()) s.bullets.push_back("  Persona: " + V(k, "persona"));
    if (!V(k, "key_message").empty()) s.bullets.push_back("  Message: " + V(k, "key_message"));
    if (!V(k, "offer").empty()) s.bullets.push_back("  Offer: " + V(k, "offer"));
  }
  if (!c["campaigns"].empty() && !c["not_in_catalog"].empty()) {
    std::string others;
    for (const json& u : c["not_in_catalog"]) others += (others.empty() ? "" : ", ") + V.Any(u);
    s.paragraphs.push_back("Also came through " + others + " (not in the campaign catalog).");
  }
  if (!V(c, "note").empty()) s.paragraphs.push_back(V(c, "note"));
  out.push_back(std::move(s));
}

void OutlineTalkingPoints(const json& b, const Values& V, std::vector<Section>& out) {
  const json& t = b["talking_points"];
  Section s{"Talking points", {}, {}};
  for (const json& p : t["points"]) {
    std::string head = fmt::format("{} ({}): {}", V(p, "title"), V(p, "topic"), V(p, "engaged"));
    s.bullets.push_back(head);
    if (!V(p, "angle").empty()) s.bullets.push_back("  " + V(p, "angle"));
    for (const json& q : p["questions"]) s.bullets.push_back("  Ask: " + V.Any(q));
  }
  if (!V(t, "note").empty()) s.paragraphs.push_back(V(t, "note"));
  out.push_back(std::move(s));
  Section dont{"Don't", {}, {}};
  for (const json& d : t["dont"]) dont.bullets.push_back(V.Any(d));
  out.push_back(std::move(dont));
}

void OutlineScore(const json& b, const Values& V, std::vector<Section>& out) {
  const json& sc = b["score"];
  Section s{"Score",
            {fmt::format("Fit {:g}, engagement {:g}, total {:g}.", sc["fit"].get<double>(),
                         sc["engagement"].get<double>(), sc["total"].get<double>())},
            {}};
  for (const json& r : sc["top_reasons"]) {
    double points = r["points"].get<double>();
    s.bullets.push_back(fmt::format("{}{:g} {} ({}): {}", points >= 0 ? "+" : "", points,
                                    V(r, "rule"), V(r, "axis"), V(r, "because")));
  }
  if (!V(sc, "note").empty()) s.paragraphs.push_back(V(sc, "note"));
  out.push_back(std::move(s));
}

void OutlineHistory(const json& b, const Values& V, std::vector<Section>& out) {
  const json& h = b["history"];
  Section s{"History", {}, {}};
  for (const json& o : h["previous_owners"]) {
    s.bullets.push_back(
        fmt::format("Owned by {} from {} to {}{}{}", V(o, "owner"), V(o, "from").substr(0, 10),
                    V(o, "until").substr(0, 10),
                    V(o, "end_reason").empty() ? "" : " (" + V(o, "end_reason") + ")",
                    o["sla_missed"].get<bool>() ? ", follow-up SLA missed" : ""));
  }
  for (const json& r : h["recycled"]) {
    s.bullets.push_back(fmt::format(
        "{} {} by {}{}", V(r, "to") == "recycled" ? "Recycled" : "Disqualified",
        V(r, "at").substr(0, 10), V(r, "by"), V(r, "reason").empty() ? "" : ": " + V(r, "reason")));
  }
  for (const json& o : h["outcomes"]) {
    s.bullets.push_back(fmt::format("Outcome {} {} by {}{}", V(o, "disposition"),
                                    V(o, "at").substr(0, 10), V(o, "by"),
                                    V(o, "reason").empty() ? "" : ": " + V(o, "reason")));
  }
  for (const json& t : h["touches"]) {
    s.bullets.push_back(fmt::format("{} {} {} by {}{}", V(t, "at").substr(0, 10), V(t, "direction"),
                                    V(t, "channel"), V(t, "by"),
                                    V(t, "note").empty() ? "" : ": " + V(t, "note")));
  }
  if (!V(h, "note").empty()) s.paragraphs.push_back(V(h, "note"));
  out.push_back(std::move(s));
}

void OutlineNextStep(const json& b, const Values& V, std::vector<Section>& out) {
  const json& n = b["next_step"];
  Section s{"Next step", {V(n, "action")}, {}};
  if (!V(n, "sla").empty()) s.paragraphs.push_back(V(n, "sla"));
  out.push_back(std::move(s));
}

std::vector<Section> Outline(const json& b, Escape esc) {
  const Values values{esc};
  std::vector<Section> out;
  for (auto section : {OutlineWhyNow, OutlineWho, OutlineContact, OutlineJourney, OutlineCampaign,
                       OutlineTalkingPoints, OutlineScore, OutlineHistory, OutlineNextStep}) {
    section(b, values, out);
  }
  return out;
}

std::string Heading(const json& b, Escape esc) {
  const json& w = b["who"];
  std::string name = Str(w, "name").empty() ? Str(w, "email") : Str(w, "name");
  if (name.empty()) name = Str(b, "lead_id");
  return fmt::format("Brief: {} ({})", esc(name), esc(Str(b, "lead_id")));
}

}  // namespace

std::string RenderBriefMarkdown(const json& brief) {
  std::string out = fmt::format("# {}\n\n", Heading(brief, MarkdownText));
  out += fmt::format(
      "Stage {}{}; brief of {}.\n", MarkdownText(Str(brief, "stage")),
      Str(brief, "priority").empty() ? "" : ", priority " + MarkdownText(Str(brief, "priority")),
      MarkdownText(Str(brief, "generated_at")));
  for (const Section& s : Outline(brief, MarkdownText)) {
    while (out.ends_with("\n\n")) out.pop_back();
    out += fmt::format("\n## {}\n\n", s.title);
    for (const std::string& p : s.paragraphs) {
      if (!p.empty()) out += p + "\n\n";
    }
    for (const std::string& b : s.bullets) {
      if (b.starts_with("  ")) {
        out += "  - " + b.substr(2) + "\n";
      } else {
        out += "- " + b + "\n";
      }
    }
    if (!s.bullets.empty()) out += "\n";
  }
  while (out.ends_with("\n\n")) out.pop_back();
  return out;
}

std::string RenderBriefHtml(const json& brief) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += fmt::format("<title>{}</title>", HtmlEscape(Heading(brief, AsIs)));
  out +=
      "<style>body{font:15px/1.45 system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
      "padding:0 1rem;color:#1d232a}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;"
      "border-bottom:1px solid #dde2e7}li li{list-style:circle}</style></head><body>\n";
  out += fmt::format(
      "<h1>{}</h1>\n<p>Stage {}{}; brief of {}.</p>\n", HtmlEscape(Heading(brief, AsIs)),
      HtmlEscape(Str(brief, "stage")),
      Str(brief, "priority").empty() ? "" : ", priority " + HtmlEscape(Str(brief, "priority")),
      HtmlEscape(Str(brief, "generated_at")));
  for (const Section& s : Outline(brief, AsIs)) {
    out += fmt::format("<section><h2>{}</h2>\n", HtmlEscape(s.title));
    for (const std::string& p : s.paragraphs) {
      if (!p.empty()) out += "<p>" + HtmlEscape(p) + "</p>\n";
    }
    if (!s.bullets.empty()) {
      out += "<ul>";
      bool nested = false;
      for (const std::string& b : s.bullets) {
        const bool sub = b.starts_with("  ");
        if (sub && !nested) out += "<ul>";
        if (!sub && nested)
          out += "</ul></li>";
        else if (!sub && &b != &s.bullets.front())
          out += "</li>";
        if (sub) {
          out += "<li>" + HtmlEscape(b.substr(2)) + "</li>";
        } else {
          out += "<li>" + HtmlEscape(b);
        }
        nested = sub;
      }
      out += nested ? "</ul></li></ul>\n" : "</li></ul>\n";
    }
    out += "</section>\n";
  }
  out += "</body></html>\n";
  return out;
}

}  // namespace tandem
