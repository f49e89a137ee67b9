// JSON Schema subset (see json_schema.h). Recursion follows the schema, never the value, so a
// deeply nested answer cannot exhaust the stack.
#include "llm/json_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

namespace pscope::llm {
namespace {

using nlohmann::json;

constexpr int kMaxSchemaDepth = 32;
const std::set<std::string> kKeywords = {"type",     "properties", "required",  "additionalProperties",
                                         "enum",     "minimum",    "maximum",   "minLength",
                                         "maxLength", "minItems",  "maxItems",  "items",
                                         "description", "title"};
const std::set<std::string> kTypes = {"object", "array", "string", "integer", "number", "boolean", "null"};

std::string at(const std::string& path, const std::string& why) { return path.empty() ? why : path + ": " + why; }

std::string brief(const json& v, size_t max = 80) {
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > max ? s.substr(0, max) + "..." : s;
}

Result<void> check_node(const json& s, const std::string& path, int depth) {
  std::string where = path.empty() ? "schema" : "schema at " + path;
  if (depth > kMaxSchemaDepth) return fail(where + " nests deeper than 32 levels");
  if (!s.is_object()) return fail(where + " is not an object");
  for (const auto& [k, v] : s.items()) {
    if (!kKeywords.contains(k)) return fail(fmt::format("{} uses unsupported keyword '{}'", where, k));
    if (k == "type") {
      json names = v.is_array() ? v : json::array({v});
      for (const auto& n : names)
        if (!n.is_string() || !kTypes.contains(n.get<std::string>())) return fail(where + ": unknown type " + brief(n));
    } else if (k == "properties") {
      if (!v.is_object()) return fail(where + ": 'properties' is not an object");
      for (const auto& [name, sub] : v.items())
        if (auto r = check_node(sub, path + "." + name, depth + 1); !r) return r;
    } else if (k == "items" || (k == "additionalProperties" && !v.is_boolean())) {
      if (auto r = check_node(v, path + "." + k, depth + 1); !r) return r;
    } else if (k == "required") {
      if (!v.is_array()) return fail(where + ": 'required' is not a list");
      for (const auto& n : v)
        if (!n.is_string()) return fail(where + ": 'required' holds a non-string");
    } else if (k == "enum") {
      if (!v.is_array() || v.empty()) return fail(where + ": 'enum' is not a non-empty list");
    } else if (k == "minimum" || k == "maximum") {
      if (!v.is_number()) return fail(fmt::format("{}: '{}' is not a number", where, k));
    } else if (k != "description" && k != "title" && k != "additionalProperties") {
      if (!v.is_number_unsigned()) return fail(fmt::format("{}: '{}' is not a non-negative integer", where, k));
    }
  }
  return {};
}

bool has_type(const json& v, const std::string& t) {
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "string") return v.is_string();
  if (t == "boolean") return v.is_boolean();
  if (t == "null") return v.is_null();
  if (t == "number") return v.is_number();
  // JSON Schema: 3.0 is an integer too.
  return v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                   std::trunc(v.get<double>()) == v.get<double>());
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Result<void> validate_node(const json& s, const json& v, const std::string& path);

Result<void> check_type(const json& s, const json& v, const std::string& path) {
  if (!s.contains("type")) return {};
  json names = s["type"].is_array() ? s["type"] : json::array({s["type"]});
  for (const auto& n : names)
    if (has_type(v, n.get<std::string>())) return {};
  std::string want = names.size() == 1 ? names[0].get<std::string>() : brief(names);
  return fail(at(path, fmt::format("expected {}, got {}", want, v.type_name())));
}

Result<void> check_object(const json& s, const json& v, const std::string& path) {
  std::string prefix = path.empty() ? "" : path + ".";
  if (s.contains("required"))
    for (const auto& n : s["required"])
      if (!v.contains(n.get<std::string>())) return fail(at(path, "missing required '" + n.get<std::string>() + "'"));
  const json empty = json::object();
  const json& props = s.contains("properties") ? s["properties"] : empty;
  for (const auto& [k, sub] : v.items()) {
    if (props.contains(k)) {
      if (auto r = validate_node(props[k], sub, prefix + k); !r) return r;
    } else if (s.contains("additionalProperties")) {
      const json& extra = s["additionalProperties"];
      if (extra.is_boolean() && !extra.get<bool>()) return fail(at(path, "unexpected property " + brief(json(k), 64)));
      if (extra.is_object())
        if (auto r = validate_node(extra, sub, prefix + k); !r) return r;
    }
  }
  return {};
}

Result<void> check_array(const json& s, const json& v, const std::string& path) {
  if (s.contains("maxItems") && v.size() > s["maxItems"].get<size_t>())
    return fail(at(path, fmt::format("{} items, more than the {} allowed", v.size(), s["maxItems"].get<size_t>())));
  if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>())
    return fail(at(path, fmt::format("{} items, fewer than the {} required", v.size(), s["minItems"].get<size_t>())));
  if (s.contains("items"))
    for (size_t i = 0; i < v.size(); ++i)
      if (auto r = validate_node(s["items"], v[i], fmt::format("{}[{}]", path, i)); !r) return r;
  return {};
}

Result<void> check_scalar(const json& s, const json& v, const std::string& path) {
  if (v.is_number()) {
    double x = v.get<double>();
    if (s.contains("minimum") && x < s["minimum"].get<double>())
      return fail(at(path, fmt::format("{} is below the minimum {}", brief(v), brief(s["minimum"]))));
    if (s.contains("maximum") && x > s["maximum"].get<double>())
      return fail(at(path, fmt::format("{} is above the maximum {}", brief(v), brief(s["maximum"]))));
  }
  if (v.is_string()) {
    size_t n = utf8_length(v.get_ref<const std::string&>());
    if (s.contains("maxLength") && n > s["maxLength"].get<size_t>())
      return fail(at(path, fmt::format("{} characters, longer than the {} allowed", n, s["maxLength"].get<size_t>())));
    if (s.contains("minLength") && n < s["minLength"].get<size_t>())
      return fail(at(path, fmt::format("{} characters, shorter than the {} required", n, s["minLength"].get<size_t>())));
  }
  return {};
}

Result<void> validate_node(const json& s, const json& v, const std::string& path) {
  if (auto r = check_type(s, v, path); !r) return r;
  if (s.contains("enum")) {
    const json& e = s["enum"];
    if (std::find(e.begin(), e.end(), v) == e.end())
      return fail(at(path, fmt::format("{} is not one of {}", brief(v, 60), brief(e, 200))));
  }
  if (v.is_object()) return check_object(s, v, path);
  if (v.is_array()) return check_array(s, v, path);
  return check_scalar(s, v, path);
}

}  // namespace

Result<void> check_schema(const json& schema) { return check_node(schema, "", 0); }

Result<void> validate_json(const json& schema, const json& value) { return validate_node(schema, value, ""); }

}  // namespace pscope::llm
