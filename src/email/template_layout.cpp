#include "email/template_layout.h"

#include "email/template_program.h"

namespace tandem::email {
namespace {

constexpr std::string_view kHead =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
constexpr std::string_view kHeadEnd = "</title>\n</head>\n<body style=\"margin:0;padding:0;\">\n";
// Hidden in every client that shows HTML; inbox lists show it after the subject.
constexpr std::string_view kPreheaderStart =
    "<div class=\"preheader\" style=\"display:none;max-height:0;max-width:0;overflow:hidden;"
    "opacity:0;font-size:1px;line-height:1px;mso-hide:all;\">";
constexpr std::string_view kMarketingBody =
    "<div class=\"content\" style=\"max-width:600px;margin:0 auto;padding:16px;\">\n";
constexpr std::string_view kSalesBody =
    "<div class=\"content\" style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;"
    "line-height:20px;\">\n";
constexpr std::string_view kFooterStart =
    "<div class=\"footer\" style=\"max-width:600px;margin:24px auto 0;padding:16px;"
    "border-top:1px solid #dddddd;font-family:Arial,Helvetica,sans-serif;font-size:12px;"
    "line-height:18px;color:#666666;\">\n<p>You receive this email because you are on the "
    "mailing list of ";

void AppendHtml(std::string& out, std::string_view value) {
  AppendEscaped(out, value, PartEscaping::kHtml);
}

void AppendFooter(std::string& out, const LayoutValues& values) {
  out.append(kFooterStart);
  AppendHtml(out, values.company_name);
  out.append(", ");
  AppendHtml(out, values.postal_address);
  out.append(".</p>\n<p>Unsubscribe: <a href=\"");
  AppendHtml(out, values.unsubscribe_url);
  out.append("\">unsubscribe in one click</a>");
  if (!values.preferences_url.empty()) {
    out.append(" · <a href=\"");
    AppendHtml(out, values.preferences_url);
    out.append("\">choose which email you receive</a>");
  }
  out.append("</p>\n</div>\n");
}

}  // namespace

std::string WrapInDefaultLayout(Purpose purpose, std::string_view body_html,
                                const LayoutValues& values) {
  const bool marketing = purpose == Purpose::kEmailMarketing;
  std::string out;
  out.reserve(body_html.size() + 2048);
  out.append(kHead);
  AppendHtml(out, values.subject);
  out.append(kHeadEnd);
  if (!values.preheader.empty()) {
    out.append(kPreheaderStart);
    AppendHtml(out, values.preheader);
    out.append("</div>\n");
  }
  out.append(marketing ? kMarketingBody : kSalesBody);
  out.append(body_html);
  out.append("\n</div>\n");
  if (marketing) AppendFooter(out, values);
  out.append("</body>\n</html>\n");
  return out;
}

}  // namespace tandem::email
