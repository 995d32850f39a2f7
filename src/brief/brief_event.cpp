#include "brief/brief_event.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace tandem {
namespace {

namespace od = simdjson::ondemand;

// Keys compared as they are written: the names Tandem reads have no escapes, and a
// key spelled with escapes is not one of them.
bool Is(od::raw_json_string key, const char* name) { return key.unsafe_is_equal(name); }

// The string value of a field, kept in `out`; "" when it is not a string.
std::string_view Text(od::value value, BriefEvents& out) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return {};
  return out.Keep(text);
}

// One pass over the message, descending only into the objects the brief reads:
// properties, context (page, campaign) and traits. Fields may come in any order.
void Extract(od::document& doc, BriefEvent& b, BriefEvents& out) {
  od::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return;
  for (auto field : root) {
    od::raw_json_string key;
    if (field.key().get(key) != simdjson::SUCCESS) return;
    od::object object;
    if (Is(key, "properties")) {
      if (field.value().get_object().get(object) != simdjson::SUCCESS) continue;
      for (auto p : object) {
        od::raw_json_string name;
        if (p.key().get(name) != simdjson::SUCCESS) return;
        if (Is(name, "path"))
          b.path = Text(p.value(), out);
        else if (Is(name, "title"))
          b.title = Text(p.value(), out);
        else if (Is(name, "asset_id"))
          b.asset_id = Text(p.value(), out);
        else if (Is(name, "form") || (Is(name, "form_id") && b.form.empty()))
          b.form = Text(p.value(), out);
        else if (Is(name, "subject") || (Is(name, "email_subject") && b.subject.empty()))
          b.subject = Text(p.value(), out);
      }
    } else if (Is(key, "context")) {
      if (field.value().get_object().get(object) != simdjson::SUCCESS) continue;
      for (auto c : object) {
        od::raw_json_string name;
        if (c.key().get(name) != simdjson::SUCCESS) return;
        od::object inner;
        if (!Is(name, "page") && !Is(name, "campaign")) continue;
        if (c.value().get_object().get(inner) != simdjson::SUCCESS) continue;
        for (auto f : inner) {
          od::raw_json_string inner_name;
          if (f.key().get(inner_name) != simdjson::SUCCESS) return;
          if (Is(name, "page") && Is(inner_name, "path") && b.path.empty())
            b.path = Text(f.value(), out);
          else if (Is(name, "page") && Is(inner_name, "title") && b.title.empty())
            b.title = Text(f.value(), out);
          else if (Is(name, "campaign") && Is(inner_name, "name"))
            b.utm_campaign = Text(f.value(), out);
          else if (Is(name, "campaign") && Is(inner_name, "campaign") && b.utm_campaign.empty())
            b.utm_campaign = Text(f.value(), out);
        }
      }
    } else if (Is(key, "traits") && !b.known) {
      if (field.value().get_object().get(object) != simdjson::SUCCESS) continue;
      for (auto t : object) {
        od::raw_json_string name;
        if (t.key().get(name) != simdjson::SUCCESS) return;
        if (Is(name, "email")) {
          std::string_view email;
          b.known = t.value().get_string().get(email) == simdjson::SUCCESS && !email.empty();
        }
      }
    }
  }
}

}  // namespace

BriefEvents::BriefEvents(std::initializer_list<BriefEvent> events) {
  for (const BriefEvent& e : events) Add(e);
}

std::string_view BriefEvents::Keep(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > chunk_left_) {
    // Chunks grow from 512 bytes to 64 KB: a page of leads holds many short lists.
    const size_t grown = chunks_.empty() ? 512 : std::min<size_t>(64 * 1024, 2 * chunk_size_);
    const size_t size = std::max(grown, text.size());
    chunk_size_ = size;
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    next_ = chunks_.back().get();
    chunk_left_ = size;
  }
  std::memcpy(next_, text.data(), text.size());
  std::string_view kept(next_, text.size());
  next_ += text.size();
  chunk_left_ -= text.size();
  return kept;
}

void BriefEvents::Add(BriefEvent e) {
  for (std::string_view* field :
       {&e.type, &e.name, &e.path, &e.title, &e.asset_id, &e.form, &e.subject, &e.utm_campaign}) {
    *field = Keep(*field);
  }
  events_.push_back(e);
}

BriefEvents ExtractBriefEvents(std::span<const StoredEvent> events) {
  thread_local od::parser parser;
  thread_local std::string buffer;
  BriefEvents out;
  out.reserve(events.size());
  for (const StoredEvent& e : events) {
    BriefEvent b;
    b.id = e.id;
    b.at = e.record.timestamp;
    b.type = out.Keep(e.record.type);
    b.known = !e.record.user_id.empty();
    // Pages are named by their title, which the brief does not read.
    if (!b.IsPage()) b.name = out.Keep(e.record.event);
    // On-demand parsing reads up to SIMDJSON_PADDING bytes past the text.
    const std::string& payload = e.record.payload;
    buffer.assign(payload);
    buffer.resize(payload.size() + simdjson::SIMDJSON_PADDING, ' ');
    od::document doc;
    if (parser.iterate(buffer.data(), payload.size(), buffer.size()).get(doc) ==
        simdjson::SUCCESS) {
      Extract(doc, b, out);
    }
    out.events_.push_back(b);
  }
  return out;
}

}  // namespace tandem
