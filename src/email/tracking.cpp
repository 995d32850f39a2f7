#include "email/tracking.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "core/mac.h"

namespace tandem::email {
namespace {

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[i]) != prefix[i]) return false;
  }
  return true;
}

size_t FindNoCase(std::string_view text, std::string_view needle, size_t from) {
  for (size_t at = from; at + needle.size() <= text.size(); ++at) {
    if (StartsWithNoCase(text.substr(at), needle)) return at;
  }
  return std::string_view::npos;
}

// An attribute value as a browser reads it, for the references a link holds; nullopt
// for any other (the link is then left as written).
std::optional<std::string> Decoded(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '&') {
      out.push_back(value[i]);
      continue;
    }
    const size_t semi = value.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) return std::nullopt;
    const std::string_view name = value.substr(i + 1, semi - i - 1);
    if (name == "amp") {
      out.push_back('&');
    } else if (name == "quot") {
      out.push_back('"');
    } else if (name == "apos") {
      out.push_back('\'');
    } else if (name == "lt") {
      out.push_back('<');
    } else if (name == "gt") {
      out.push_back('>');
    } else if (name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      int code = 0;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
      if (ec != std::errc() || end != digits.data() + digits.size() || code < 0x21 || code > 0x7E) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(code));
    } else {
      return std::nullopt;
    }
    i = semi;
  }
  return out;
}

// The link a browser follows for this href, when it is one to track.
std::optional<std::string> TrackableLink(std::string_view value, const Tracking& t) {
  std::optional<std::string> link = Decoded(value);
  if (!link) return std::nullopt;
  // Browsers drop the spaces around a URL; one with any inside is left alone.
  size_t first = 0, last = link->size();
  while (first < last && IsHtmlSpace((*link)[first])) ++first;
  while (last > first && IsHtmlSpace((*link)[last - 1])) --last;
  std::string url = link->substr(first, last - first);
  if (!StartsWithNoCase(url, "https://") && !StartsWithNoCase(url, "http://")) return std::nullopt;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return std::nullopt;
  }
  if (std::find(t.untracked.begin(), t.untracked.end(), url) != t.untracked.end()) {
    return std::nullopt;
  }
  return url;
}

std::string PercentEncoded(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (char c : text) {
    if (IsAlpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string ClickMac(std::string_view secret, std::string_view send_uid, std::string_view link) {
  return ShortMac(secret, fmt::format("click:{}:{}", send_uid, link));
}

std::string OpenMac(std::string_view secret, std::string_view send_uid) {
  return ShortMac(secret, fmt::format("open:{}", send_uid));
}

// Elements whose content is not markup: their text runs to the matching end tag.
bool HasRawText(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kRaw = {
      "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"};
  return std::find(kRaw.begin(), kRaw.end(), name) != kRaw.end();
}

// Walks the tags of a document, rewriting the hrefs of links as it goes.
class LinkRewriter {
 public:
  LinkRewriter(std::string_view html, const Tracking& t) : html_(html), t_(t) {}

  std::string Run() {
    while (at_ < html_.size()) {
      const size_t lt = html_.find('<', at_);
      if (lt == std::string_view::npos) break;
      at_ = lt;
      const std::string_view rest = html_.substr(at_);
      if (rest.starts_with("<!--")) {
        const size_t end = html_.find("-->", at_ + 4);
        at_ = end == std::string_view::npos ? html_.size() : end + 3;
      } else if (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '?' || rest[1] == '/')) {
        SkipPast('>');
      } else if (rest.size() >= 2 && IsAlpha(rest[1])) {
        if (!Tag()) break;
      } else {
        ++at_;
      }
    }
    out_.append(html_.substr(copied_));
    return std::move(out_);
  }

 private:
  void SkipPast(char c) {
    const size_t end = html_.find(c, at_);
    at_ = end == std::string_view::npos ? html_.size() : end + 1;
  }

  // Reads the start tag at at_; false when the rest of the document is not markup.
  bool Tag() {
    ++at_;
    std::string name;
    while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '/' &&
           html_[at_] != '>') {
      name.push_back(Lower(html_[at_++]));
    }
    const bool link = name == "a" || name == "area";
    bool seen_href = false;
    while (at_ < html_.size() && html_[at_] != '>') {
      if (IsHtmlSpace(html_[at_]) || html_[at_] == '/') {
        ++at_;
        continue;
      }
      const size_t name_start = at_;
      while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '/' &&
             html_[at_] != '>' && (html_[at_] != '=' || at_ == name_start)) {
        ++at_;
      }
      const std::string_view attribute = html_.substr(name_start, at_ - name_start);
      size_t next = at_;
      while (next < html_.size() && IsHtmlSpace(html_[next])) ++next;
      if (next >= html_.size() || html_[next] != '=') continue;
      at_ = next + 1;
      while (at_ < html_.size() && IsHtmlSpace(html_[at_])) ++at_;
      const size_t value_start = at_;
      std::string_view value;
      if (at_ < html_.size() && (html_[at_] == '"' || html_[at_] == '\'')) {
        const size_t end = html_.find(html_[at_], at_ + 1);
        if (end == std::string_view::npos) return false;  // the rest is this value
        value = html_.substr(at_ + 1, end - at_ - 1);
        at_ = end + 1;
      } else {
        while (at_ < html_.size() && !IsHtmlSpace(html_[at_]) && html_[at_] != '>') ++at_;
        value = html_.substr(value_start, at_ - value_start);
      }
      // Of repeated attributes, browsers keep the first.
      if (!link || seen_href || !EqualsNoCase(attribute, "href")) continue;
      seen_href = true;
      if (std::optional<std::string> url = TrackableLink(value, t_)) {
        out_.append(html_.substr(copied_, value_start - copied_));
        out_ += '"';
        out_ += ClickUrl(t_, *url);
        out_ += '"';
        copied_ = at_;
      }
    }
    if (at_ < html_.size()) ++at_;  // the '>'
    if (name == "plaintext") return false;
    if (HasRawText(name)) {
      const size_t end = FindNoCase(html_, "</" + name, at_);
      at_ = end == std::string_view::npos ? html_.size() : end;
    }
    return true;
  }

  static bool EqualsNoCase(std::string_view a, std::string_view lower) {
    return a.size() == lower.size() && StartsWithNoCase(a, lower);
  }

  std::string_view html_;
  const Tracking& t_;
  std::string out_;
  size_t at_ = 0;
  size_t copied_ = 0;
};

// Whether `ip` (dotted IPv4, or IPv4-mapped IPv6) is in 17.0.0.0/8, Apple's network.
bool FromApple(std::string_view ip) {
  if (StartsWithNoCase(ip, "::ffff:")) ip.remove_prefix(7);
  return ip.starts_with("17.") && std::count(ip.begin(), ip.end(), '.') == 3;
}

}  // namespace

std::string ClickUrl(const Tracking& t, std::string_view link) {
  return fmt::format("{}/t/c/{}/{}?u={}", t.base_url, t.send_uid,
                     ClickMac(t.secret, t.send_uid, link), PercentEncoded(link));
}

std::string OpenUrl(const Tracking& t) {
  return fmt::format("{}/t/o/{}/{}.gif", t.base_url, t.send_uid, OpenMac(t.secret, t.send_uid));
}

bool IsClickMac(std::string_view secret, std::string_view send_uid, std::string_view link,
                std::string_view mac) {
  return SameMac(mac, ClickMac(secret, send_uid, link));
}

bool IsOpenMac(std::string_view secret, std::string_view send_uid, std::string_view mac) {
  return SameMac(mac, OpenMac(secret, send_uid));
}

std::string WithTracking(std::string_view html, const Tracking& t) {
  std::string out = t.clicks ? LinkRewriter(html, t).Run() : std::string(html);
  if (!t.opens) return out;
  const std::string pixel = fmt::format(
      R"(<img src="{}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">)",
      OpenUrl(t));
  // Before the last </body>, else at the end.
  size_t body = std::string_view::npos;
  for (size_t at = FindNoCase(out, "</body", 0); at != std::string_view::npos;
       at = FindNoCase(out, "</body", at + 1)) {
    body = at;
  }
  if (body == std::string_view::npos) return out + pixel;
  out.insert(body, pixel);
  return out;
}

std::string MachineReason(const EngagementRequest& r) {
  if (r.method == "HEAD") return "a HEAD request: a link checker, not a reader";
  if (r.user_agent.empty()) return "no User-Agent: an automated fetch";
  if (r.user_agent == "Mozilla/5.0") {
    return "Apple Mail Privacy Protection (its proxy's User-Agent): fetched as the mail arrived";
  }
  if (FromApple(r.ip)) {
    return "from Apple's network (17.0.0.0/8): Mail Privacy Protection fetched it";
  }
  static constexpr std::array<std::string_view, 16> kMachines = {
      "bot",        "crawler",        "spider",     "yahoomailproxy", "barracuda", "mimecast",
      "proofpoint", "symantec",       "forcepoint", "trend micro",    "python-",   "curl/",
      "wget/",      "go-http-client", "java/",      "headlesschrome"};
  std::string agent(r.user_agent);
  std::transform(agent.begin(), agent.end(), agent.begin(), Lower);
  for (std::string_view token : kMachines) {
    if (agent.find(token) != std::string::npos) {
      return fmt::format("the User-Agent names \"{}\": a scanner or prefetcher", token);
    }
  }
  if (r.sent_at && r.at >= *r.sent_at && r.at - *r.sent_at < std::chrono::seconds(10)) {
    return "within 10 seconds of delivery: a receiving server's scanner";
  }
  return "";
}

}  // namespace tandem::email
