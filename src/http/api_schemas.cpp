#include "http/api_schemas.h"

#include <string>

namespace tandem::http::schema {

json Ref(std::string_view name) { return {{"$ref", "#/components/schemas/" + std::string(name)}}; }

json PageOf(const json& item) {
  return Object({{"items", ArrayOf(item)},
                 {"next_cursor", NullableString("where the next page starts; null on the last")}},
                {"items", "next_cursor"});
}

json Object(std::initializer_list<std::pair<const char*, json>> properties,
            std::initializer_list<const char*> required) {
  json out = {{"type", "object"}, {"properties", json::object()}};
  for (const auto& [name, schema] : properties) out["properties"][name] = schema;
  if (required.size() > 0) {
    out["required"] = json::array();
    for (const char* name : required) out["required"].push_back(name);
  }
  return out;
}

namespace {

json Typed(const json& type, std::string_view description) {
  json out = {{"type", type}};
  if (!description.empty()) out["description"] = description;
  return out;
}

}  // namespace

json String(std::string_view description) { return Typed("string", description); }
json NullableString(std::string_view description) {
  return Typed(json::array({"string", "null"}), description);
}
json Integer(std::string_view description) { return Typed("integer", description); }
json Number(std::string_view description) { return Typed("number", description); }
json Boolean(std::string_view description) { return Typed("boolean", description); }
json AnyObject(std::string_view description) { return Typed("object", description); }
json ArrayOf(const json& item) { return {{"type", "array"}, {"items", item}}; }
json Enum(std::initializer_list<const char*> values) {
  json out = {{"type", "string"}, {"enum", json::array()}};
  for (const char* v : values) out["enum"].push_back(v);
  return out;
}

namespace {

json ErrorSchema() {
  return Object({{"error", Object({{"code", String("machine-readable, e.g. not_found")},
                                   {"message", String("what went wrong and what to do")}},
                                  {"code", "message"})}},
                {"error"});
}

json UserSchema() {
  return Object({{"id", String("usr_<n>")},
                 {"email", String()},
                 {"name", String()},
                 {"role", Enum({"admin", "sales_manager", "sales_rep", "marketing", "viewer"})},
                 {"team", String()},
                 {"timezone", String()},
                 {"capacity", Integer()},
                 {"hours", String("working hours, \"09:00-17:00\"")},
                 {"active", Boolean()},
                 {"out_of_office", {{"type", json::array({"object", "null"})}}},
                 {"notify_by", Enum({"email", "none"})},
                 {"created_at", String()},
                 {"updated_at", String()}},
                {"id", "email", "role"});
}

json LeadSchema() {
  return Object(
      {{"id", String("ld_<n>")},
       {"email", NullableString()},
       {"name", NullableString()},
       {"title", NullableString()},
       {"company", AnyObject("name, domain, size, industry")},
       {"stage", Enum({"subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer",
                       "recycled", "disqualified"})},
       {"stage_reason", NullableString()},
       {"revisit_on", NullableString()},
       {"priority", NullableString("hot, mql or null")},
       {"owner", {{"type", json::array({"object", "null"})}}},
       {"team", NullableString()},
       {"queued", Boolean()},
       {"score", Object({{"fit", Number()}, {"engagement", Number()}, {"total", Number()}})},
       {"sla", AnyObject("due_at, met_at, breached_at")},
       {"first_touch", {{"type", json::array({"object", "null"})}}},
       {"last_touch", {{"type", json::array({"object", "null"})}}},
       {"visits", Integer()},
       {"traits", AnyObject()},
       {"mql_at", NullableString()},
       {"last_activity_at", NullableString()},
       {"contacted_at", NullableString()},
       {"created_at", String()},
       {"updated_at", String()},
       {"why_now", AnyObject("with include=why_now: the brief's why-now section")}},
      {"id", "stage", "score"});
}

json TouchSchema() {
  return Object({{"id", String("tch_<n>")},
                 {"lead_id", String()},
                 {"user_id", NullableString()},
                 {"channel", String()},
                 {"purpose", String()},
                 {"direction", Enum({"outbound", "inbound"})},
                 {"note", String()},
                 {"at", String()}},
                {"id", "lead_id", "channel"});
}

json ConsentSchema() {
  return Object({{"id", String("cns_<n>")},
                 {"purpose", String()},
                 {"status", String("granted or withdrawn")},
                 {"at", String()},
                 {"method", String()},
                 {"form_id", NullableString()},
                 {"wording", String()},
                 {"actor", String()},
                 {"source", NullableString()},
                 {"evidence", NullableString()}},
                {"purpose", "status"});
}

json CatalogEntrySchema(const char* key) { return Object({{key, String()}}, {key}); }

}  // namespace

const json& Components() {
  static const json components = {
      {"Error", ErrorSchema()},
      {"User", UserSchema()},
      {"Lead", LeadSchema()},
      {"Touch", TouchSchema()},
      {"Consent", ConsentSchema()},
      {"Preferences", Object({{"lead_id", String()},
                              {"preferred_channel", NullableString()},
                              {"timezone", NullableString()},
                              {"do_not_contact", ArrayOf(String())},
                              {"unsubscribed", Boolean()},
                              {"consent", AnyObject("the effective consent per purpose")}},
                             {"lead_id"})},
      {"ScoreExplanation", Object({{"fit", Number()},
                                   {"engagement", Number()},
                                   {"total", Number()},
                                   {"explanation", ArrayOf(AnyObject())}})},
      {"Campaign", CatalogEntrySchema("key")},
      {"Content", CatalogEntrySchema("asset_id")},
      {"Brief", Object({{"why_now", AnyObject()},
                        {"who", AnyObject()},
                        {"contact", AnyObject()},
                        {"journey", AnyObject()},
                        {"campaign", AnyObject()},
                        {"talking_points", AnyObject()},
                        {"score", AnyObject()},
                        {"history", AnyObject()}},
                       {"why_now"})},
      {"Token", Object({{"id", String("tok_<n>")},
                        {"user_id", String()},
                        {"name", String()},
                        {"created_at", String()},
                        {"expires_at", NullableString()},
                        {"expired", Boolean()},
                        {"last_used_at", NullableString()}},
                       {"id", "user_id", "name"})},
  };
  return components;
}

}  // namespace tandem::http::schema
