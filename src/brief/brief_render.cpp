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

std::string ReasonsText(const json& answer) {
  std::string out;
  for (const json& r : answer["reasons"]) {
    out += fmt::format("{}{}: {}", out.empty() ? "" : "; ",
                       Str(r, "severity") == "warn" ? "note" : Str(r, "code"), Str(r, "message"));
  }
  return out;
}

std::vector<Section> Outline(const json& b) {
  std::vector<Section> out;
  {
    Section s{"Why now", {Str(b["why_now"], "text")}, {}};
    out.push_back(std::move(s));
  }
  {
    const json& w = b["who"];
    Section s{"Who", {}, {}};
    std::string line = Str(w, "name").empty() ? "(no name)" : Str(w, "name");
    if (!Str(w, "title").empty()) line += ", " + Str(w, "title");
    if (!Str(w, "company").empty()) line += " at " + Str(w, "company");
    s.paragraphs.push_back(line);
    std::string company;
    if (!Str(w, "company_size").empty()) company += Str(w, "company_size") + " employees";
    if (!Str(w, "industry").empty()) company += (company.empty() ? "" : ", ") + Str(w, "industry");
    if (!company.empty()) s.bullets.push_back("Company: " + company);
    if (!Str(w, "email").empty()) s.bullets.push_back("Email: " + Str(w, "email"));
    if (!Str(w, "phone").empty()) s.bullets.push_back("Phone: " + Str(w, "phone"));
    if (!Str(w, "location").empty()) s.bullets.push_back("Location: " + Str(w, "location"));
    s.bullets.push_back(Str(w, "local_time").empty()
                            ? "Local time: unknown (no time zone)"
                            : fmt::format("Local time: {} ({}, from {})", Str(w, "local_time"),
                                          Str(w, "timezone"), Str(w, "timezone_source")));
    if (!Str(w, "preferred_channel").empty())
      s.bullets.push_back("Prefers: " + Str(w, "preferred_channel"));
    if (!w["unknown"].empty()) {
      std::string unknown;
      for (const json& u : w["unknown"])
        unknown += (unknown.empty() ? "" : ", ") + u.get<std::string>();
      s.bullets.push_back("Unknown: " + unknown);
    }
    if (!Str(w, "note").empty()) s.paragraphs.push_back(Str(w, "note"));
    out.push_back(std::move(s));
  }
  {
    const json& c = b["contact"];
    Section s{"Can I contact them", {}, {}};
    for (const char* channel : {"call", "email"}) {
      const json& answer = c[channel];
      std::string reasons = ReasonsText(answer);
      s.bullets.push_back(fmt::format("{}: {}{}", channel == std::string("call") ? "Call" : "Email",
                                      answer["allowed"].get<bool>() ? "yes" : "no",
                                      reasons.empty() ? "" : " — " + reasons));
    }
    if (!Str(c, "note").empty()) s.paragraphs.push_back(Str(c, "note"));
    out.push_back(std::move(s));
  }
  {
    const json& j = b["journey"];
    Section s{"Journey", {}, {}};
    s.paragraphs.push_back(Str(j, "text").empty() ? Str(j, "note") : Str(j, "text"));
    if (j["earlier_moments"].get<int64_t>() > 0) {
      s.bullets.push_back(fmt::format("({} earlier moments)", j["earlier_moments"].get<int64_t>()));
    }
    for (const json& m : j["key_moments"]) {
      s.bullets.push_back(fmt::format("{} — {}", ShortTime(Str(m, "at")), Str(m, "text")));
    }
    if (!j["topics"].empty()) {
      std::string topics;
      for (const json& t : j["topics"]) topics += (topics.empty() ? "" : ", ") + Str(t, "topic");
      s.paragraphs.push_back("Topics of interest: " + topics + ".");
    }
    out.push_back(std::move(s));
  }
  {
    const json& c = b["campaign"];
    Section s{"Campaign", {}, {}};
    for (const json& k : c["campaigns"]) {
      s.bullets.push_back(fmt::format("{} (via {})", Str(k, "name"), Str(k, "via")));
      if (!Str(k, "persona").empty()) s.bullets.push_back("  Persona: " + Str(k, "persona"));
      if (!Str(k, "key_message").empty())
        s.bullets.push_back("  Message: " + Str(k, "key_message"));
      if (!Str(k, "offer").empty()) s.bullets.push_back("  Offer: " + Str(k, "offer"));
    }
    if (!c["campaigns"].empty() && !c["not_in_catalog"].empty()) {
      std::string others;
      for (const json& u : c["not_in_catalog"])
        others += (others.empty() ? "" : ", ") + u.get<std::string>();
      s.paragraphs.push_back("Also came through " + others + " (not in the campaign catalog).");
    }
    if (!Str(c, "note").empty()) s.paragraphs.push_back(Str(c, "note"));
    out.push_back(std::move(s));
  }
  {
    const json& t = b["talking_points"];
    Section s{"Talking points", {}, {}};
    for (const json& p : t["points"]) {
      std::string head =
          fmt::format("{} ({}): {}", Str(p, "title"), Str(p, "topic"), Str(p, "engaged"));
      s.bullets.push_back(head);
      if (!Str(p, "angle").empty()) s.bullets.push_back("  " + Str(p, "angle"));
      for (const json& q : p["questions"]) s.bullets.push_back("  Ask: " + q.get<std::string>());
    }
    if (!Str(t, "note").empty()) s.paragraphs.push_back(Str(t, "note"));
    out.push_back(std::move(s));
    Section dont{"Don't", {}, {}};
    for (const json& d : t["dont"]) dont.bullets.push_back(d.get<std::string>());
    out.push_back(std::move(dont));
  }
  {
    const json& sc = b["score"];
    Section s{"Score",
              {fmt::format("Fit {:g}, engagement {:g}, total {:g}.", sc["fit"].get<double>(),
                           sc["engagement"].get<double>(), sc["total"].get<double>())},
              {}};
    for (const json& r : sc["top_reasons"]) {
      double points = r["points"].get<double>();
      s.bullets.push_back(fmt::format("{}{:g} {} ({}): {}", points >= 0 ? "+" : "", points,
                                      Str(r, "rule"), Str(r, "axis"), Str(r, "because")));
    }
    if (!Str(sc, "note").empty()) s.paragraphs.push_back(Str(sc, "note"));
    out.push_back(std::move(s));
  }
  {
    const json& h = b["history"];
    Section s{"History", {}, {}};
    for (const json& o : h["previous_owners"]) {
      s.bullets.push_back(
          fmt::format("Owned by {} from {} to {}{}{}", Str(o, "owner"),
                      Str(o, "from").substr(0, 10), Str(o, "until").substr(0, 10),
                      Str(o, "end_reason").empty() ? "" : " (" + Str(o, "end_reason") + ")",
                      o["sla_missed"].get<bool>() ? ", follow-up SLA missed" : ""));
    }
    for (const json& r : h["recycled"]) {
      s.bullets.push_back(fmt::format("{} {} by {}{}",
                                      Str(r, "to") == "recycled" ? "Recycled" : "Disqualified",
                                      Str(r, "at").substr(0, 10), Str(r, "by"),
                                      Str(r, "reason").empty() ? "" : ": " + Str(r, "reason")));
    }
    for (const json& o : h["outcomes"]) {
      s.bullets.push_back(fmt::format("Outcome {} {} by {}{}", Str(o, "disposition"),
                                      Str(o, "at").substr(0, 10), Str(o, "by"),
                                      Str(o, "reason").empty() ? "" : ": " + Str(o, "reason")));
    }
    for (const json& t : h["touches"]) {
      s.bullets.push_back(fmt::format("{} {} {} by {}{}", Str(t, "at").substr(0, 10),
                                      Str(t, "direction"), Str(t, "channel"), Str(t, "by"),
                                      Str(t, "note").empty() ? "" : ": " + Str(t, "note")));
    }
    if (!Str(h, "note").empty()) s.paragraphs.push_back(Str(h, "note"));
    out.push_back(std::move(s));
  }
  {
    const json& n = b["next_step"];
    Section s{"Next step", {Str(n, "action")}, {}};
    if (!Str(n, "sla").empty()) s.paragraphs.push_back(Str(n, "sla"));
    out.push_back(std::move(s));
  }
  return out;
}

std::string Heading(const json& b) {
  const json& w = b["who"];
  std::string name = Str(w, "name").empty() ? Str(w, "email") : Str(w, "name");
  if (name.empty()) name = Str(b, "lead_id");
  return fmt::format("Brief: {} ({})", name, Str(b, "lead_id"));
}

}  // namespace

std::string RenderBriefMarkdown(const json& brief) {
  std::string out = fmt::format("# {}\n\n", Heading(brief));
  out += fmt::format("Stage {}{}; brief of {}.\n", Str(brief, "stage"),
                     Str(brief, "priority").empty() ? "" : ", priority " + Str(brief, "priority"),
                     Str(brief, "generated_at"));
  for (const Section& s : Outline(brief)) {
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
  out += fmt::format("<title>{}</title>", HtmlEscape(Heading(brief)));
  out +=
      "<style>body{font:15px/1.45 system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
      "padding:0 1rem;color:#1d232a}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;"
      "border-bottom:1px solid #dde2e7}li li{list-style:circle}</style></head><body>\n";
  out += fmt::format(
      "<h1>{}</h1>\n<p>Stage {}{}; brief of {}.</p>\n", HtmlEscape(Heading(brief)),
      HtmlEscape(Str(brief, "stage")),
      Str(brief, "priority").empty() ? "" : ", priority " + HtmlEscape(Str(brief, "priority")),
      HtmlEscape(Str(brief, "generated_at")));
  for (const Section& s : Outline(brief)) {
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
