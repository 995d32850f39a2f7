// template_bench: what rendering an email template costs per recipient, the cost a
// broadcast of 100,000 recipients pays 100,000 times.
//
// A ~20 KB marketing newsletter (table layout, inline styles, links and images) using
// 15 merge fields, some with fallbacks, in the default layout. Printed, p50/p99 in
// microseconds over many renders with a different recipient each time:
//   1. compile: checking and compiling the template, with its plain-text part derived
//      once and checked against full parses of probe recipients (once per broadcast);
//   2. render: one recipient's HTML body placed in the layout (no text part);
//   3. text by parsing: PlainTextFromHtml of that HTML (gumbo), what each recipient's
//      text part would cost without the text derived once;
//   4. CompiledTemplate::Render: subject, preheader, HTML and text, what a send pays;
//   5. kainjow: kainjow-mustache rendering the same body's standard form from a parsed
//      template, the library the syntax follows, as the baseline for step 2;
// and the throughput of Render on every core at once (it is const and shared).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <kainjow/mustache.hpp>
#include <thread>

#include "email/merge_fields.h"
#include "email/template.h"
#include "email/template_layout.h"
#include "email/template_program.h"

namespace tandem::email {
namespace {

using Steady = std::chrono::steady_clock;

struct Figures {
  double p50 = 0, p99 = 0;
};

template <typename Work>
Figures TimeMicros(int runs, Work work) {
  for (int i = 0; i < 20; ++i) work(i);  // warm caches and the allocator
  std::vector<double> us;
  us.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    const auto start = Steady::now();
    work(i);
    us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - start).count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
}

// One article block of the newsletter: about 1 KB with four merge fields.
std::string Article(int i) {
  return fmt::format(
      "<tr>\n  <td style=\"padding:24px 32px;font-family:Arial,Helvetica,sans-serif;"
      "font-size:15px;line-height:22px;color:#333333;\">\n"
      "    <h2 style=\"margin:0 0 12px;font-size:20px;line-height:26px;color:#111111;\">"
      "Idea {0} for {{{{company.name | your team}}}}</h2>\n"
      "    <img src=\"https://cdn.meetings.example.com/newsletter/idea-{0}.png\" width=\"536\" "
      "height=\"240\" alt=\"Idea {0}\" style=\"display:block;border:0;\">\n"
      "    <p style=\"margin:12px 0;\">Teams like yours told us that {{{{content.problem | "
      "planning events}}}} takes longer than it should. Here is what the ones who fixed it did "
      "first, in their own words, with the numbers before and after, and what they would do "
      "differently if they started again tomorrow with the same budget and the same team.</p>\n"
      "    {{{{#lead.title}}}}<p style=\"margin:12px 0;\">As {{{{lead.title}}}}, you probably "
      "decide this yourself.</p>{{{{/lead.title}}}}\n"
      "    <p style=\"margin:12px 0;\"><a href=\"https://meetings.example.com/ideas/{0}?utm_"
      "source=newsletter&amp;utm_medium=email&amp;utm_campaign={{{{campaign.name}}}}\" "
      "style=\"color:#0b5cad;\">Read idea {0}</a></p>\n  </td>\n</tr>\n",
      i);
}

EmailTemplate Newsletter() {
  EmailTemplate t;
  t.key = "newsletter";
  t.name = "Monthly newsletter";
  t.subject = "{{lead.first_name | Hello}}, 18 ideas for {{company.name | your team}}";
  t.preheader = "After {{content.title}}: what to read next, {{lead.first_name | }}";
  t.html =
      "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
      "style=\"background:#f4f4f4;\">\n<tr><td align=\"center\">\n<table role=\"presentation\" "
      "width=\"600\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#ffffff;\">\n"
      "<tr><td style=\"padding:24px 32px;\"><img src=\"https://cdn.meetings.example.com/logo.png"
      "\" width=\"180\" height=\"48\" alt=\"Meetings Inc\"></td></tr>\n"
      "<tr><td style=\"padding:0 32px;font-family:Arial,Helvetica,sans-serif;\"><p>Hi "
      "{{#lead.first_name}}{{lead.first_name}}{{/lead.first_name}}{{^lead.first_name}}there"
      "{{/lead.first_name}},</p><p>You read <a href=\"{{content.url}}\">{{content.title}}</a> "
      "on {{content.topic}}. Which of these would help {{company.name | your team}} most?</p>"
      "</td></tr>\n";
  for (int i = 1; i <= 18; ++i) t.html += Article(i);
  t.html +=
      "<tr><td style=\"padding:24px 32px;font-family:Arial,Helvetica,sans-serif;\"><p>Reply to "
      "this email and {{owner.first_name}} answers: {{owner.name}}, {{owner.title}}, "
      "{{owner.email}}. Your offer: {{campaign.offer}}.</p><p>Sent to {{lead.email}} at "
      "{{company.domain}}.</p></td></tr>\n</table>\n</td></tr>\n</table>\n";
  return t;
}

MergeValues Recipient(int i) {
  MergeValues values{
      {"lead.email", fmt::format("reader{}@example.org", i)},
      {"company.domain", "example.org"},
      {"content.title", "The SEM Buyer's Guide"},
      {"content.url", "https://meetings.example.com/resources/sem-buyers-guide"},
      {"content.topic", "search marketing"},
      {"content.problem", "choosing an agency"},
      {"campaign.name", "spring-newsletter"},
      {"campaign.offer", "a free planning session"},
      {"owner.first_name", "Sam"},
      {"owner.name", "Sam Reyes"},
      {"owner.title", "Account Executive"},
      {"owner.email", "sam@meetings.example.com"},
      {"sender.company_name", "Meetings Inc"},
      {"sender.postal_address", "12 Harbour Street, Portland, ME 04101"},
      {"links.unsubscribe_url", fmt::format("https://meetings.example.com/u/{:016x}", i)},
      {"links.preferences_url", fmt::format("https://meetings.example.com/p/{:016x}", i)}};
  if (i % 3 != 0) values["lead.first_name"] = fmt::format("Reader {}", i);
  if (i % 2 == 0) values["lead.title"] = "Head of Events";
  if (i % 5 != 0) values["company.name"] = fmt::format("Company <{}> & Sons", i);
  return values;
}

kainjow::mustache::data KainjowData(const MergeValues& values) {
  std::map<std::string, kainjow::mustache::data> records;
  for (const auto& [name, value] : values) {
    const size_t dot = name.find('.');
    records[name.substr(0, dot)].set(name.substr(dot + 1), value);
  }
  kainjow::mustache::data data;
  for (const auto& [record, fields] : records) data.set(record, fields);
  return data;
}

void Print(std::string_view what, const Figures& f) {
  fmt::print("{:<44} p50 {:>9.1f} us   p99 {:>9.1f} us\n", what, f.p50, f.p99);
}

}  // namespace
}  // namespace tandem::email

int main() {
  using namespace tandem::email;
  const EmailTemplate t = Newsletter();
  const int kRuns = 5000;
  std::vector<MergeValues> recipients;
  for (int i = 0; i < kRuns + 20; ++i) recipients.push_back(Recipient(i));

  auto compiled_or = CompiledTemplate::Compile(t);
  if (auto* problems = std::get_if<std::vector<TemplateProblem>>(&compiled_or)) {
    for (const TemplateProblem& p : *problems) fmt::print("{}: {}\n", p.code, p.message);
    return 1;
  }
  const CompiledTemplate compiled = std::get<CompiledTemplate>(compiled_or);
  fmt::print("template: {} bytes of html, {} merge fields (with the layout's), text {}\n",
             t.html.size(), compiled.fields_used().size(),
             compiled.text_derived_once() ? "derived once" : "parsed per recipient");

  Print("1. compile (check + compile, once)",
        TimeMicros(20, [&](int) { (void)CompiledTemplate::Compile(t); }));

  // 2 and 3: the parts Render is made of, through the same functions it calls.
  std::vector<TemplateProblem> problems;
  const PartProgram program = CompilePart("html", PartEscaping::kHtml, t.html, problems);
  std::string html;
  Print("2. render body + layout (no text part)", TimeMicros(kRuns, [&](int i) {
          std::vector<std::string_view> by_index(MergeFields().size());
          for (const auto& [name, value] : recipients[static_cast<size_t>(i)])
            by_index[*MergeFieldIndex(name)] = value;
          std::string body;
          body.reserve(t.html.size() * 9 / 8);
          RenderPart(program, by_index, body, problems);
          html = WrapInDefaultLayout(tandem::Purpose::kEmailMarketing, body,
                                     LayoutValues{"s", "p", "c", "a", "u", ""});
        }));
  size_t text_bytes = 0;
  Print("3. text by parsing that html (gumbo)",
        TimeMicros(kRuns, [&](int) { text_bytes = PlainTextFromHtml(html).size(); }));
  size_t html_bytes = 0;
  Print("4. CompiledTemplate::Render (all of it)", TimeMicros(kRuns, [&](int i) {
          auto email = compiled.Render(recipients[static_cast<size_t>(i)]);
          html_bytes = std::get<RenderedEmail>(email).html.size();
        }));
  kainjow::mustache::mustache reference(program.standard);
  Print("5. kainjow-mustache, same body (baseline)", TimeMicros(kRuns / 5, [&](int i) {
          (void)reference.render(KainjowData(recipients[static_cast<size_t>(i)]));
        }));

  const unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  const int per_thread = 4000;
  std::atomic<int> failures{0};
  const auto start = Steady::now();
  std::vector<std::thread> pool;
  for (unsigned n = 0; n < threads; ++n) {
    pool.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        auto email = compiled.Render(recipients[static_cast<size_t>(i) % recipients.size()]);
        if (!std::holds_alternative<RenderedEmail>(email)) ++failures;
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();
  fmt::print("rendered html {} bytes, text {} bytes\n", html_bytes, text_bytes);
  fmt::print("Render on {} threads: {:.0f} emails/s ({} failures); 100,000 recipients: {:.1f} s\n",
             threads, threads * per_thread / seconds, failures.load(),
             100000.0 / (threads * per_thread / seconds));
  return failures.load() == 0 ? 0 : 1;
}
