#include "email/lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <unordered_set>

#include "email/html_facts.h"

namespace tandem::email {
namespace {

// ASCII lower case, inline: the check lower-cases whole bodies, and the C library's
// tolower is a call per byte.
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsLowerAscii(char c) { return c >= 'a' && c <= 'z'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

std::string Trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return std::string(text);
}

class Findings {
 public:
  void Error(std::string code, std::string where, std::string message, std::string fix) {
    Add(Severity::kError, std::move(code), std::move(where), std::move(message), std::move(fix));
  }
  void Warning(std::string code, std::string where, std::string message, std::string fix) {
    Add(Severity::kWarning, std::move(code), std::move(where), std::move(message), std::move(fix));
  }
  std::vector<Finding> Take() {
    std::stable_sort(all_.begin(), all_.end(), [](const Finding& a, const Finding& b) {
      return a.severity == Severity::kError && b.severity != Severity::kError;
    });
    return std::move(all_);
  }

 private:
  void Add(Severity severity, std::string code, std::string where, std::string message,
           std::string fix) {
    all_.push_back(
        Finding{std::move(code), severity, std::move(where), std::move(message), std::move(fix)});
  }
  std::vector<Finding> all_;
};

// The length of the text between `open` and `close` at `at` (both at most 80 bytes
// apart, none of `forbidden` between), or 0 when there is no such span.
size_t Span(std::string_view text, size_t at, std::string_view open, std::string_view close,
            std::string_view forbidden) {
  if (text.compare(at, open.size(), open) != 0) return 0;
  const size_t start = at + open.size();
  for (size_t i = start; i < text.size() && i <= start + 80; ++i) {
    if (text.compare(i, close.size(), close) == 0) {
      return i > start ? i + close.size() - at : 0;
    }
    if (forbidden.find(text[i]) != std::string_view::npos) return 0;
  }
  return 0;
}

// [FirstName], [First Name], [first_name]: a capital, then words joined by spaces or _.
size_t BracketName(std::string_view text, size_t at) {
  if (text[at] != '[' || at + 1 >= text.size() ||
      !std::isupper(static_cast<unsigned char>(text[at + 1])))
    return 0;
  for (size_t i = at + 2; i < text.size() && i <= at + 82; ++i) {
    const char c = text[i];
    if (c == ']') return text[i - 1] == ' ' || text[i - 1] == '_' ? 0 : i + 1 - at;
    const bool joint =
        (c == ' ' || c == '_') && std::isalpha(static_cast<unsigned char>(text[i - 1]));
    if (!std::isalpha(static_cast<unsigned char>(c)) && !joint) return 0;
  }
  return 0;
}

// Merge-field syntaxes of the common tools, left unreplaced: {{x}}, *|X|*, %%x%%,
// [FirstName], <<First Name>>.
std::vector<std::string_view> Placeholders(std::string_view text) {
  std::vector<std::string_view> found;
  // Where a placeholder may start: a table, not find_first_of (a search of the set per byte).
  static constexpr auto kOpens = [] {
    std::array<bool, 256> opens{};
    for (unsigned char c : std::string_view("{*%[<")) opens[c] = true;
    return opens;
  }();
  auto next = [&](size_t from) {
    while (from < text.size() && !kOpens[static_cast<unsigned char>(text[from])]) ++from;
    return from < text.size() ? from : std::string_view::npos;
  };
  for (size_t at = next(0); at != std::string_view::npos; at = next(at)) {
    size_t length = Span(text, at, "{{", "}}", "{}");
    if (length == 0) length = Span(text, at, "*|", "|*", "|");
    if (length == 0) length = Span(text, at, "%%", "%%", "% \t\r\n");
    if (length == 0) length = BracketName(text, at);
    if (length == 0) length = Span(text, at, "<<", ">>", "<>");
    if (length == 0) {
      ++at;
      continue;
    }
    found.push_back(text.substr(at, length));
    at += length;
  }
  return found;
}

void CheckPlaceholders(std::string_view where, std::string_view text, Findings& out) {
  for (std::string_view placeholder : Placeholders(text)) {
    out.Error("unreplaced_placeholder", std::string(where),
              fmt::format("\"{}\" was not replaced by a value", placeholder),
              "give the merge field a value (or a fallback) for every recipient, or remove it");
  }
}

// A subject that is a label for one rather than one: "(E-mail Subject)", "[Subject]",
// "Subject here", "Untitled", "Lorem ipsum".
bool IsLabelSubject(const std::string& subject) {
  const std::string s = Lower(Trimmed(subject));
  if (s.size() >= 2 &&
      ((s.front() == '(' && s.back() == ')') || (s.front() == '[' && s.back() == ']') ||
       (s.front() == '<' && s.back() == '>'))) {
    return true;
  }
  static const char* const kLabels[] = {"subject",       "subject here",   "your subject here",
                                        "email subject", "e-mail subject", "untitled",
                                        "no subject",    "insert subject", "subject line"};
  for (const char* label : kLabels) {
    if (s == label) return true;
  }
  return s.starts_with("lorem ipsum");
}

void CheckSubject(const Draft& draft, const LintOptions& options, Findings& out) {
  const std::string subject = Trimmed(draft.subject);
  if (subject.empty()) {
    out.Error("subject_empty", "subject", "the subject is empty",
              "write a subject that tells the reader what is in it for them");
    return;
  }
  if (IsLabelSubject(subject)) {
    out.Error("subject_placeholder", "subject",
              fmt::format("the subject \"{}\" is a placeholder, not a subject", subject),
              "replace it with the subject the email was written for");
  }
  // Characters, not bytes: UTF-8 continuation bytes do not start one.
  const size_t chars =
      static_cast<size_t>(std::count_if(subject.begin(), subject.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
  if (chars > options.max_subject_chars) {
    out.Warning("subject_long", "subject",
                fmt::format("the subject is {} characters long (over {})", chars,
                            options.max_subject_chars),
                "shorten it: inboxes show the first 40 to 60 characters");
  }
  size_t letters = 0, lower = 0;
  for (char c : subject) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      ++letters;
      if (std::islower(static_cast<unsigned char>(c))) ++lower;
    }
  }
  if (letters >= 6 && lower == 0) {  // "Q3 ROI" is not shouting
    out.Warning("subject_all_caps", "subject", "the subject is all capitals",
                "write it in sentence case; capitals read as shouting and as spam");
  }
  const auto marks =
      std::count_if(subject.begin(), subject.end(), [](char c) { return c == '!' || c == '?'; });
  if (marks >= 3) {
    out.Warning("subject_punctuation", "subject",
                fmt::format("the subject has {} exclamation or question marks", marks),
                "keep at most one");
  }
}

std::string Host(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string host = Lower(url.substr(start, end == std::string::npos ? end : end - start));
  if (const size_t at = host.rfind('@'); at != std::string::npos) host.erase(0, at + 1);
  if (const size_t colon = host.find(':'); colon != std::string::npos) host.erase(colon);
  if (host.starts_with("www.")) host.erase(0, 4);
  return host;
}

// The domain a link's visible text shows, when it shows one ("example.com/offer",
// "https://www.example.com"); "" otherwise.
std::string ShownDomain(const std::string& text) {
  std::string shown = Lower(Trimmed(text));
  for (std::string_view prefix : {"https://", "http://", "www."}) {
    if (shown.starts_with(prefix)) shown.erase(0, prefix.size());
  }
  const size_t end = shown.find_first_of("/:?#");
  if (shown.find_first_of(" \t\r\n") != std::string::npos) return "";
  std::string domain = shown.substr(0, end);
  // Labels of letters, digits and hyphens, at least two, the last two letters or more.
  size_t labels = 0, label = 0, last_letters = 0;
  for (char c : domain) {
    if (c == '.') {
      if (label == 0) return "";
      ++labels;
      label = last_letters = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
      ++label;
      last_letters = std::isalpha(static_cast<unsigned char>(c)) && last_letters == label - 1
                         ? last_letters + 1
                         : 0;
    } else {
      return "";
    }
  }
  if (labels == 0 || label < 2 || last_letters != label) return "";
  return domain;
}

bool SameSite(const std::string& shown, const std::string& host) {
  return host == shown || host.ends_with("." + shown) || shown.ends_with("." + host);
}

// Whether the check asks the network about a link: a web address, not the unsubscribe
// link (its page exists once the email is sent).
bool FetchesLink(const HtmlLink& link, const LintContext& context) {
  const std::string href = Lower(Trimmed(link.href));
  const bool web = href.starts_with("http://") || href.starts_with("https://");
  return web &&
         !(!context.unsubscribe_url.empty() && link.href.starts_with(context.unsubscribe_url));
}

bool FetchesImage(const HtmlImage& image) { return Lower(image.src).starts_with("http"); }

// What the check asks the network: at most `budget` distinct URLs (images first, then
// links, in the order they appear), handed to the facts at once so they are fetched
// together.
class Network {
 public:
  Network(ResourceFacts* facts, const HtmlFacts& html, const LintContext& context, size_t budget)
      : facts_(facts) {
    if (facts_ == nullptr) return;
    std::vector<std::string> links, images;
    auto ask = [&](const std::string& url, ResourceKind kind, std::vector<std::string>& list) {
      const std::string key = KeyOf(url, kind);
      if (asked_.contains(key) || skipped_.contains(key)) return;
      (asked_.size() < budget ? asked_ : skipped_).insert(key);
      if (asked_.contains(key)) list.push_back(url);
    };
    for (const HtmlImage& image : html.images) {
      if (FetchesImage(image)) ask(image.src, ResourceKind::kImage, images);
    }
    for (const HtmlLink& link : html.links) {
      if (FetchesLink(link, context)) ask(link.href, ResourceKind::kLink, links);
    }
    facts_->Prefetch(links, images);
  }
  // The facts, when the check asks about `url` as `kind`; nullptr when it does not.
  ResourceFacts* For(const std::string& url, ResourceKind kind) const {
    return facts_ != nullptr && asked_.contains(KeyOf(url, kind)) ? facts_ : nullptr;
  }
  size_t asked() const { return asked_.size(); }
  size_t skipped() const { return skipped_.size(); }

 private:
  static std::string KeyOf(const std::string& url, ResourceKind kind) {
    return (kind == ResourceKind::kImage ? "i " : "l ") + url;
  }
  ResourceFacts* const facts_;
  std::unordered_set<std::string> asked_, skipped_;
};

// "what: why" when the facts know why, else `what`.
std::string WithProblem(std::string what, ResourceFacts& facts, const std::string& url,
                        ResourceKind kind) {
  const std::string problem = facts.Problem(url, kind);
  return problem.empty() ? what : fmt::format("{}: {}", what, problem);
}

void CheckLinks(const HtmlFacts& html, const Network& network, Findings& out) {
  for (size_t i = 0; i < html.links.size(); ++i) {
    const HtmlLink& link = html.links[i];
    const std::string where = fmt::format("body: link {} ({})", i + 1, link.href);
    CheckPlaceholders(where, link.href, out);
    const std::string href = Lower(Trimmed(link.href));
    if (href.starts_with("javascript:")) {
      out.Error("link_javascript", where, "the link runs a script; mail clients block it",
                "link to a page instead");
      continue;
    }
    const std::string shown = ShownDomain(link.text);
    const std::string host = Host(link.href);
    if (!shown.empty() && !host.empty() && !SameSite(shown, host)) {
      out.Error("link_text_domain_differs", where,
                fmt::format("the link shows {} but leads to {}", shown, host),
                "show the address the link goes to, or words instead of an address");
    }
    ResourceFacts* facts = network.For(link.href, ResourceKind::kLink);
    if (facts != nullptr && !facts->Reachable(link.href)) {
      out.Error("link_unreachable", where,
                WithProblem("the link does not answer", *facts, link.href, ResourceKind::kLink),
                "fix the address, or publish the page before sending");
    }
  }
}

void CheckImage(const HtmlImage& image, size_t n, const LintOptions& options,
                const Network& network, Findings& out) {
  const std::string where = fmt::format("body: image {} ({})", n, image.src);
  CheckPlaceholders(where, image.src, out);
  if (image.alt) CheckPlaceholders(where, *image.alt, out);
  if (!image.alt) {
    out.Warning("image_no_alt", where, "the image has no alt text",
                "describe it in alt: many clients block images until the reader allows them");
  }
  if (!Lower(image.src).starts_with("https://")) {
    out.Warning("image_not_https", where, "the image is not served over https",
                "serve it over https: clients show insecure images as broken or warn");
  }
  ResourceFacts* facts = network.For(image.src, ResourceKind::kImage);
  if (facts == nullptr) return;
  const std::optional<ImageSize> real = facts->Image(image.src);
  if (!real) {
    out.Error("image_unreachable", where,
              WithProblem("the image cannot be fetched", *facts, image.src, ResourceKind::kImage),
              "fix the address, or upload the image where the email can reach it");
    return;
  }
  if (image.width && image.height && real->width > 0 && real->height > 0) {
    const double shown = static_cast<double>(*image.width) / *image.height;
    const double own = static_cast<double>(real->width) / real->height;
    if (std::abs(shown - own) / own > options.max_aspect_difference) {
      out.Error("image_distorted", where,
                fmt::format("the image is {}×{} but shown in a {}×{} box: it will be cut or "
                            "stretched",
                            real->width, real->height, *image.width, *image.height),
                fmt::format("show it at its own proportions (for {} wide, {} high)", *image.width,
                            static_cast<int>(std::lround(*image.width / own))));
    }
  }
}

// you/your against we/our/us and the sender's name, as whole words.
void CheckCopy(const Draft& draft, const HtmlFacts& html, const LintContext& context,
               const LintOptions& options, Findings& out) {
  const std::string text = Lower(html.text);
  size_t them = 0, self = 0;
  for (size_t at = 0; at < text.size();) {
    if (!IsLowerAscii(text[at])) {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < text.size() && (IsLowerAscii(text[end]) || text[end] == '\'')) ++end;
    const std::string_view word = std::string_view(text).substr(at, end - at);
    static constexpr std::string_view kYou[] = {"you", "your", "yours", "you're", "yourself"};
    static constexpr std::string_view kWe[] = {"we", "our", "ours", "us", "we're", "ourselves"};
    if (std::find(std::begin(kYou), std::end(kYou), word) != std::end(kYou)) ++them;
    if (std::find(std::begin(kWe), std::end(kWe), word) != std::end(kWe)) ++self;
    at = end;
  }
  if (const std::string name = Lower(Trimmed(context.company_name)); !name.empty()) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) ++self;
  }
  if (self > 0 && static_cast<double>(them) < options.min_you_focus * static_cast<double>(self)) {
    out.Warning("copy_about_sender", "body",
                fmt::format("the copy says you/your {} times and we/our/{} {} times: it is "
                            "about the sender",
                            them, context.company_name.empty() ? "us" : context.company_name, self),
                "write about the reader: their goal, their problem, what they get");
  }
  if (html.text.find('?') == std::string::npos && draft.subject.find('?') == std::string::npos) {
    out.Warning("copy_no_question", "body", "the email asks the reader nothing",
                "ask one question about their need, so they have a reason to answer");
  }
  if (!context.engaged_content.empty() && !context.company_name.empty()) {
    const std::string generic = "thank you for your interest in " + Lower(context.company_name);
    if (text.find(generic) != std::string::npos) {
      out.Warning("copy_generic_thanks", "body",
                  fmt::format("\"thank you for your interest in {}\" to someone who came for "
                              "\"{}\"",
                              context.company_name, context.engaged_content.front()),
                  "name what they engaged with and follow up on it");
    }
  }
}

void CheckCompliance(const HtmlFacts& html, const LintContext& context, Findings& out) {
  const bool has_unsubscribe =
      std::any_of(html.links.begin(), html.links.end(), [&](const HtmlLink& l) {
        return (!context.unsubscribe_url.empty() && l.href.starts_with(context.unsubscribe_url)) ||
               Lower(l.text).find("unsubscribe") != std::string::npos;
      });
  if (!has_unsubscribe) {
    out.Error("no_unsubscribe", "body", "the marketing email has no unsubscribe link",
              "keep the default layout's footer, or add {{unsubscribe_url}} as a link");
  }
  const std::string address = Trimmed(context.postal_address);
  if (address.empty() || html.text.find(address) == std::string::npos) {
    out.Error("no_postal_address", "body",
              address.empty() ? "no postal address is configured for marketing email"
                              : "the marketing email does not show the postal address",
              address.empty() ? "set [email] postal_address in tandem.toml"
                              : "keep the default layout's footer, which shows it");
  }
}

}  // namespace

void ResourceFacts::Prefetch(const std::vector<std::string>&, const std::vector<std::string>&) {}

std::string ResourceFacts::Problem(const std::string&, ResourceKind) { return ""; }

std::string_view SeverityName(Severity severity) {
  return severity == Severity::kError ? "error" : "warning";
}

std::vector<Finding> Lint(const Draft& draft, const LintContext& context,
                          const LintOptions& options, ResourceFacts* facts) {
  return Lint(draft, ReadHtml(draft.html), context, options, facts);
}

std::vector<Finding> Lint(const Draft& draft, const HtmlFacts& html, const LintContext& context,
                          const LintOptions& options, ResourceFacts* facts) {
  Findings out;
  CheckSubject(draft, options, out);
  CheckPlaceholders("subject", draft.subject, out);
  CheckPlaceholders("preheader", draft.preheader, out);
  CheckPlaceholders("body", html.text, out);
  // <<Name>> typed into the markup itself parses as a tag, so it is not in the text.
  const std::string_view markup = draft.html;
  for (size_t at = markup.find("<<"); at != std::string_view::npos; at = markup.find("<<", at)) {
    const size_t length = Span(markup, at, "<<", ">>", "<>");
    if (length == 0) {
      at += 1;
      continue;
    }
    const std::string_view placeholder = markup.substr(at, length);
    at += length;
    out.Error("unreplaced_placeholder", "body",
              fmt::format("\"{}\" was not replaced by a value", placeholder),
              "give the merge field a value (or a fallback) for every recipient, or remove it");
  }
  if (draft.html.size() > options.max_html_bytes) {
    out.Warning("html_clipped", "body",
                fmt::format("the HTML is {} KB; Gmail clips messages over {} KB",
                            (draft.html.size() + 1023) / 1024, options.max_html_bytes / 1024),
                "trim the markup (inline styles, unused tables) or the content");
  }
  const Network network(facts, html, context, options.max_fetched_urls);
  if (network.skipped() > 0) {
    out.Warning("resources_not_checked", "body",
                fmt::format("{} more images and links than the {} the check fetches were not "
                            "checked",
                            network.skipped(), network.asked()),
                "send fewer images and links, or check them by hand");
  }
  for (size_t i = 0; i < html.images.size(); ++i)
    CheckImage(html.images[i], i + 1, options, network, out);
  if (!html.images.empty() && html.text.size() < options.min_text_chars_with_images) {
    out.Warning("image_only", "body",
                fmt::format("{} image(s) and {} characters of text: clients that block images "
                            "show almost nothing, and filters distrust it",
                            html.images.size(), html.text.size()),
                "say in text what the images say");
  }
  CheckLinks(html, network, out);
  CheckCopy(draft, html, context, options, out);
  if (draft.marketing) CheckCompliance(html, context, out);
  return out.Take();
}

bool HasErrors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kError; });
}

}  // namespace tandem::email
