// The JSON Schemas of what the API answers and takes, for route descriptions
// (http/route_spec.h) and the OpenAPI document's components. A shape used by several
// routes is a component, named by Ref("Lead"); routes say their own small shapes inline.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

namespace tandem::http::schema {

using nlohmann::json;

// {"$ref": "#/components/schemas/<name>"}
json Ref(std::string_view name);
// {"items": [<item>], "next_cursor": string|null}
json PageOf(const json& item);
// An object with these properties; `required` names the ones always present.
json Object(std::initializer_list<std::pair<const char*, json>> properties,
            std::initializer_list<const char*> required = {});
json String(std::string_view description = "");
json NullableString(std::string_view description = "");
json Integer(std::string_view description = "");
json Number(std::string_view description = "");
json Boolean(std::string_view description = "");
json Enum(std::initializer_list<const char*> values);
json ArrayOf(const json& item);
json AnyObject(std::string_view description = "");

// Every named schema: {"Lead": {...}, "Error": {...}, ...}.
const json& Components();

}  // namespace tandem::http::schema
