// The pre-send check: what a rendered email says about itself before it may leave.
// Pure: facts about images and links that need the network (reachable, real size) come
// from a ResourceFacts the caller fills; without one, those checks are skipped.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "email/html_facts.h"

namespace tandem::email {

enum class Severity { kError, kWarning };
std::string_view SeverityName(Severity severity);  // "error" | "warning"

// One thing the check found: what (a stable code), how bad, where (subject, preheader,
// body, or an element of the body), what is wrong, and how to fix it.
struct Finding {
  std::string code;
  Severity severity = Severity::kError;
  std::string where;
  std::string message;
  std::string fix;
};

// A rendered email, as it would be sent to one recipient.
struct Draft {
  std::string subject;
  std::string preheader;
  std::string html;
  bool marketing = false;  // a broadcast for a marketing purpose: compliance applies
};

// What the check knows about the sender and the recipient.
struct LintContext {
  std::string company_name;     // the sender's, for the you-focus count
  std::string postal_address;   // [email] postal_address; must appear in a marketing email
  std::string unsubscribe_url;  // the base of the signed one-click links
  // Content the recipient engaged with (titles): a generic thank-you is then a warning.
  std::vector<std::string> engaged_content;
};

struct ImageSize {
  int width = 0;
  int height = 0;
};

// What the check asks about a URL: whether a link answers, or an image's size.
enum class ResourceKind { kLink, kImage };

// Facts that need the network, fetched (and cached) by the caller.
class ResourceFacts {
 public:
  virtual ~ResourceFacts() = default;
  // Whether `url` answers (2xx or 3xx) within the check's timeout.
  virtual bool Reachable(const std::string& url) = 0;
  // The image's real size, when it could be fetched and decoded.
  virtual std::optional<ImageSize> Image(const std::string& url) = 0;
  // Called once by Lint, before it asks about any URL, with every URL it will ask
  // about: a chance to fetch them all at once. The default does nothing.
  virtual void Prefetch(const std::vector<std::string>& links,
                        const std::vector<std::string>& images);
  // Why the last answer about `url` as `kind` was negative ("answered 404", "refused:
  // private address 10.0.0.5"), for the finding's message; "" when not known.
  virtual std::string Problem(const std::string& url, ResourceKind kind);
};

struct LintOptions {
  size_t max_subject_chars = 150;
  size_t max_html_bytes = 102 * 1024;       // Gmail clips longer messages
  double min_you_focus = 1.0;               // you/your per we/our/us/company name
  double max_aspect_difference = 0.05;      // shown box vs the image's own proportions
  size_t min_text_chars_with_images = 200;  // less text beside images: image-only
  // Distinct images and links asked of ResourceFacts, images first, in the order they
  // appear; the rest are not fetched (a warning says so), so one email costs one round.
  size_t max_fetched_urls = 50;
};

// Every finding for `draft`, errors first, each in the order met.
std::vector<Finding> Lint(const Draft& draft, const LintContext& context,
                          const LintOptions& options = {}, ResourceFacts* facts = nullptr);

// The same, with the body already read: `html` is ReadHtml(draft.html), or facts equal
// to it (template_facts.h derives them for a broadcast's recipients).
std::vector<Finding> Lint(const Draft& draft, const HtmlFacts& html, const LintContext& context,
                          const LintOptions& options = {}, ResourceFacts* facts = nullptr);

// Whether any finding blocks the send.
bool HasErrors(const std::vector<Finding>& findings);

}  // namespace tandem::email
