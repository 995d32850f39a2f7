#include "brief/brief_event.h"

#include <simdjson.h>

namespace tandem {
namespace {

using simdjson::dom::element;

std::string_view Text(element parent, std::string_view key) {
  std::string_view out;
  if (parent.at_key(key).get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

}  // namespace

std::vector<BriefEvent> ExtractBriefEvents(std::span<const StoredEvent> events) {
  thread_local simdjson::dom::parser parser;
  std::vector<BriefEvent> out;
  out.reserve(events.size());
  for (const StoredEvent& e : events) {
    BriefEvent b;
    b.id = e.id;
    b.at = e.record.timestamp;
    b.type = e.record.type;
    b.name = e.record.event;
    b.known = !e.record.user_id.empty();
    element root;
    if (parser.parse(e.record.payload).get(root) == simdjson::SUCCESS) {
      element properties, context, page, campaign, traits;
      const bool has_properties = root.at_key("properties").get(properties) == simdjson::SUCCESS;
      const bool has_context = root.at_key("context").get(context) == simdjson::SUCCESS;
      const bool has_page = has_context && context.at_key("page").get(page) == simdjson::SUCCESS;
      if (has_properties) {
        b.path = Text(properties, "path");
        b.title = Text(properties, "title");
        b.asset_id = Text(properties, "asset_id");
        b.form = Text(properties, "form");
        if (b.form.empty()) b.form = Text(properties, "form_id");
        b.subject = Text(properties, "subject");
        if (b.subject.empty()) b.subject = Text(properties, "email_subject");
      }
      if (has_page) {
        if (b.path.empty()) b.path = Text(page, "path");
        if (b.title.empty()) b.title = Text(page, "title");
      }
      if (has_context && context.at_key("campaign").get(campaign) == simdjson::SUCCESS) {
        b.utm_campaign = Text(campaign, "name");
        if (b.utm_campaign.empty()) b.utm_campaign = Text(campaign, "campaign");
      }
      if (!b.known && root.at_key("traits").get(traits) == simdjson::SUCCESS) {
        b.known = !Text(traits, "email").empty();
      }
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace tandem
