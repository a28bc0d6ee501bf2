#include "formats/avro_schema.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "formats/nesting_limit.h"

namespace karrow {
namespace {

// Bounds on hostile schemas: deeper nesting (kMaxNestingDepth, counted in
// records, arrays, maps, unions and wrapped types: one ParseType call each)
// or more nodes than any real schema has is refused before it can exhaust
// the stack or memory.
constexpr int kMaxNodes = 100000;
// A named type is one node however often it is used, but everything built
// from a schema (the Arrow columns, the decoding steps, the walk that skips
// a value) repeats it at each use. Types that use the one before twice
// double at each level: 20 of them, a schema of 2 KB, expanded to a million
// columns and took 6 GB and 50 s to map. So the expanded size is bounded too,
// as generously as the node count.
constexpr int64_t kMaxExpandedNodes = 100000;

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsValidName(std::string_view s) {
  if (s.empty()) return false;
  auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(s[0])) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsValidFullName(std::string_view s) {
  size_t begin = 0;
  while (true) {
    size_t dot = s.find('.', begin);
    if (!IsValidName(s.substr(begin, dot == std::string_view::npos ? dot : dot - begin)))
      return false;
    if (dot == std::string_view::npos) return true;
    begin = dot + 1;
  }
}

const std::map<std::string_view, AvroType>& PrimitiveNames() {
  static const std::map<std::string_view, AvroType> kNames = {
      {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
      {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
      {"bytes", AvroType::kBytes}, {"string", AvroType::kString},
  };
  return kNames;
}

}  // namespace

std::string_view AvroShortName(std::string_view full_name) {
  size_t dot = full_name.rfind('.');
  return dot == std::string_view::npos ? full_name : full_name.substr(dot + 1);
}

class AvroSchemaParser {
 public:
  Result<AvroSchema> Parse(std::string_view json) {
    simdjson::dom::parser parser;
    element doc;
    if (auto error = parser.parse(json.data(), json.size()).get(doc)) {
      return Status::Invalid(std::string("Avro schema is not valid JSON: ") +
                             simdjson::error_message(error));
    }
    KARROW_ASSIGN_OR_RAISE(schema_.root_, ParseType(doc, "", "schema", 1));
    if (ExpandedSize() > kMaxExpandedNodes) {
      return Error("schema", "more than " + std::to_string(kMaxExpandedNodes) +
                                 " types when each named type is repeated where it is used (" +
                                 std::to_string(schema_.num_nodes()) + " written)");
    }
    return std::move(schema_);
  }

 private:
  Status Error(const std::string& path, const std::string& what) {
    return Status::Invalid("Avro schema, at " + path + ": " + what);
  }

  Result<int> NewNode(AvroNode node, const std::string& path) {
    if (schema_.num_nodes() >= kMaxNodes)
      return Error(path, "more than " + std::to_string(kMaxNodes) + " types");
    schema_.nodes_.push_back(std::move(node));
    return schema_.num_nodes() - 1;
  }

  std::string FullName(std::string_view name, std::string_view space) {
    if (name.find('.') != std::string_view::npos || space.empty()) return std::string(name);
    return std::string(space) + "." + std::string(name);
  }

  // A reference to a named type: its full name, else the name within the
  // enclosing namespace (the specification's lookup order, reversed where
  // the name has no dot: the enclosing namespace is tried first).
  Result<int> Lookup(std::string_view name, std::string_view space, const std::string& path) {
    if (name.find('.') == std::string_view::npos && !space.empty()) {
      auto it = named_.find(std::string(space) + "." + std::string(name));
      if (it != named_.end()) return it->second;
    }
    auto it = named_.find(std::string(name));
    if (it != named_.end()) return it->second;
    return Error(path, "unknown type '" + std::string(name) +
                           "' (named types must be defined before they are used)");
  }

  // `depth`: the level of the type `e` (the schema's own is 1). A name adds
  // no recursion, so only a union or an object past the limit is refused.
  Result<int> ParseType(element e, std::string_view space, const std::string& path, int depth) {
    if (depth > kMaxNestingDepth && !e.is_string()) return Error(path, TooDeepMessage());
    switch (e.type()) {
      case element_type::STRING: {
        std::string_view name = e.get_string().value_unsafe();
        auto it = PrimitiveNames().find(name);
        if (it != PrimitiveNames().end()) return NewNode(AvroNode{.type = it->second}, path);
        return Lookup(name, space, path);
      }
      case element_type::ARRAY:
        return ParseUnion(e, space, path, depth);
      case element_type::OBJECT:
        return ParseObject(e, space, path, depth);
      default:
        return Error(path, "a type must be a string, an array (union) or an object");
    }
  }

  Result<int> ParseUnion(element e, std::string_view space, const std::string& path, int depth) {
    AvroNode node{.type = AvroType::kUnion};
    std::set<std::string> seen;
    int i = 0;
    simdjson::dom::array e_items = e.get_array().value_unsafe();
    for (element branch : e_items) {
      std::string where = path + "[" + std::to_string(i++) + "]";
      KARROW_ASSIGN_OR_RAISE(int b, ParseType(branch, space, where, depth + 1));
      const AvroNode& n = schema_.node(b);
      if (n.type == AvroType::kUnion)
        return Error(where, "a union may not directly contain a union");
      // Unions may hold one branch per unnamed type, any number of named ones.
      std::string key = n.name.empty() ? Describe(b) : n.name;
      if (!seen.insert(key).second) return Error(where, "the union holds " + key + " twice");
      node.branches.push_back(b);
    }
    if (node.branches.empty()) return Error(path, "a union needs at least one branch");
    return NewNode(std::move(node), path);
  }

  Result<std::string_view> StringAttribute(simdjson::dom::object o, const char* key,
                                           const std::string& path, bool required) {
    element v;
    if (o[key].get(v)) {
      if (required) return Error(path, std::string("missing \"") + key + "\"");
      return std::string_view();
    }
    if (!v.is_string()) return Error(path, std::string("\"") + key + "\" must be a string");
    return v.get_string().value_unsafe();
  }

  Result<std::vector<std::string>> Aliases(simdjson::dom::object o, std::string_view space,
                                           bool qualify, const std::string& path) {
    std::vector<std::string> out;
    element v;
    if (o["aliases"].get(v)) return out;
    if (!v.is_array()) return Error(path, "\"aliases\" must be an array of names");
    simdjson::dom::array v_items = v.get_array().value_unsafe();
    for (element a : v_items) {
      if (!a.is_string()) return Error(path, "\"aliases\" must be an array of names");
      std::string_view alias = a.get_string().value_unsafe();
      if (!(qualify ? IsValidFullName(alias) : IsValidName(alias))) {
        return Error(path, "invalid alias '" + std::string(alias) + "'");
      }
      out.push_back(qualify ? FullName(alias, space) : std::string(alias));
    }
    return out;
  }

  // Registers a named type's node before its body is parsed, so the body
  // can refer to it (recursion).
  Result<int> DefineNamed(AvroNode node, simdjson::dom::object o, std::string* space,
                          const std::string& path) {
    KARROW_ASSIGN_OR_RAISE(std::string_view name, StringAttribute(o, "name", path, true));
    KARROW_ASSIGN_OR_RAISE(std::string_view ns, StringAttribute(o, "namespace", path, false));
    if (!ns.empty()) *space = std::string(ns);
    if (!IsValidFullName(name)) return Error(path, "invalid name '" + std::string(name) + "'");
    if (!space->empty() && !IsValidFullName(*space))
      return Error(path, "invalid namespace '" + *space + "'");
    node.name = FullName(name, *space);
    // A full name's namespace is the one its own children inherit.
    size_t dot = node.name.rfind('.');
    *space = dot == std::string::npos ? "" : node.name.substr(0, dot);
    if (PrimitiveNames().count(AvroShortName(node.name))) {
      return Error(path, "'" + node.name + "' redefines a primitive type");
    }
    KARROW_ASSIGN_OR_RAISE(node.aliases, Aliases(o, *space, true, path));
    std::string full = node.name;
    if (named_.count(full)) return Error(path, "'" + full + "' is defined twice");
    KARROW_ASSIGN_OR_RAISE(int i, NewNode(std::move(node), path));
    named_[full] = i;
    return i;
  }

  Result<int> ParseObject(element e, std::string_view outer_space, const std::string& path,
                          int depth) {
    simdjson::dom::object o = e.get_object().value_unsafe();
    element type_element;
    if (o["type"].get(type_element)) return Error(path, "missing \"type\"");
    if (!type_element.is_string()) {
      // {"type": {...}} or {"type": [...]}: a schema wrapped in an object.
      return ParseType(type_element, outer_space, path + ".type", depth + 1);
    }
    std::string_view type = type_element.get_string().value_unsafe();
    std::string space(outer_space);
    int index;
    if (auto it = PrimitiveNames().find(type); it != PrimitiveNames().end()) {
      KARROW_ASSIGN_OR_RAISE(index, NewNode(AvroNode{.type = it->second}, path));
    } else if (type == "record" || type == "error") {
      KARROW_ASSIGN_OR_RAISE(index,
                             DefineNamed(AvroNode{.type = AvroType::kRecord}, o, &space, path));
      std::string where = path + " (record " + schema_.node(index).name + ")";
      KARROW_ASSIGN_OR_RAISE(auto fields, ParseFields(o, space, where, depth));
      schema_.nodes_[index].fields = std::move(fields);
    } else if (type == "enum") {
      KARROW_ASSIGN_OR_RAISE(index,
                             DefineNamed(AvroNode{.type = AvroType::kEnum}, o, &space, path));
      KARROW_RETURN_NOT_OK(ParseSymbols(o, &schema_.nodes_[index], path));
    } else if (type == "fixed") {
      KARROW_ASSIGN_OR_RAISE(index,
                             DefineNamed(AvroNode{.type = AvroType::kFixed}, o, &space, path));
      element size;
      int64_t n;
      if (o["size"].get(size) || size.get_int64().get(n) || n < 0 || n > INT32_MAX) {
        return Error(path, "fixed needs a \"size\" between 0 and 2^31-1");
      }
      schema_.nodes_[index].size = static_cast<int32_t>(n);
    } else if (type == "array" || type == "map") {
      element items;
      const char* key = type == "array" ? "items" : "values";
      if (o[key].get(items)) return Error(path, std::string(type) + " needs \"" + key + "\"");
      KARROW_ASSIGN_OR_RAISE(int child, ParseType(items, space, path + "." + key, depth + 1));
      AvroNode node{.type = type == "array" ? AvroType::kArray : AvroType::kMap};
      node.items = child;
      KARROW_ASSIGN_OR_RAISE(index, NewNode(std::move(node), path));
    } else {
      // A reference written as {"type": "com.x.Name"}.
      KARROW_ASSIGN_OR_RAISE(index, Lookup(type, outer_space, path));
      return index;
    }
    ApplyLogicalType(o, &schema_.nodes_[index]);
    return index;
  }

  Result<std::vector<AvroField>> ParseFields(simdjson::dom::object o, const std::string& space,
                                             const std::string& path, int depth) {
    element fields;
    if (o["fields"].get(fields) || !fields.is_array())
      return Error(path, "a record needs a \"fields\" array");
    std::vector<AvroField> out;
    std::set<std::string> names;
    simdjson::dom::array fields_items = fields.get_array().value_unsafe();
    for (element f : fields_items) {
      if (!f.is_object()) return Error(path, "each field must be an object");
      simdjson::dom::object fo = f.get_object().value_unsafe();
      std::string where = path + ".fields[" + std::to_string(out.size()) + "]";
      KARROW_ASSIGN_OR_RAISE(std::string_view name, StringAttribute(fo, "name", where, true));
      if (!IsValidName(name)) return Error(where, "invalid field name '" + std::string(name) + "'");
      if (!names.insert(std::string(name)).second)
        return Error(where, "field '" + std::string(name) + "' twice");
      where = path + "." + std::string(name);
      AvroField field;
      field.name = std::string(name);
      KARROW_ASSIGN_OR_RAISE(field.aliases, Aliases(fo, space, false, where));
      element type;
      if (fo["type"].get(type)) return Error(where, "missing \"type\"");
      KARROW_ASSIGN_OR_RAISE(field.type, ParseType(type, space, where, depth + 1));
      element def;
      if (!fo["default"].get(def)) {
        field.has_default = true;
        field.default_json = simdjson::minify(def);
      }
      out.push_back(std::move(field));
    }
    return out;
  }

  Status ParseSymbols(simdjson::dom::object o, AvroNode* node, const std::string& path) {
    element symbols;
    if (o["symbols"].get(symbols) || !symbols.is_array())
      return Error(path, "an enum needs a \"symbols\" array");
    std::set<std::string_view> seen;
    simdjson::dom::array symbols_items = symbols.get_array().value_unsafe();
    for (element s : symbols_items) {
      if (!s.is_string() || !IsValidName(s.get_string().value_unsafe())) {
        return Error(path, "enum symbols must be names ([A-Za-z_][A-Za-z0-9_]*)");
      }
      std::string_view symbol = s.get_string().value_unsafe();
      if (!seen.insert(symbol).second)
        return Error(path, "enum symbol '" + std::string(symbol) + "' twice");
      node->symbols.emplace_back(symbol);
    }
    KARROW_ASSIGN_OR_RAISE(std::string_view def, StringAttribute(o, "default", path, false));
    if (!def.empty() && !seen.count(def))
      return Error(path, "enum default '" + std::string(def) + "' is not a symbol");
    node->enum_default = std::string(def);
    return Status::OK();
  }

  // Invalid or unknown logical types are ignored, as the specification asks.
  void ApplyLogicalType(simdjson::dom::object o, AvroNode* node) {
    std::string_view logical;
    if (o["logicalType"].get(logical)) return;
    AvroType t = node->type;
    bool is_long = t == AvroType::kLong;
    if (logical == "decimal" && (t == AvroType::kBytes || t == AvroType::kFixed)) {
      int64_t precision = 0, scale = 0;
      if (o["precision"].get(precision)) return;
      element scale_element;  // optional, 0 when absent
      if (!o["scale"].get(scale_element) && scale_element.get(scale)) return;
      if (precision < 1 || scale < 0 || scale > precision || precision > 1000) return;
      // A fixed of n bytes holds at most floor(log10(2^(8n-1) - 1)) digits.
      if (t == AvroType::kFixed && precision > std::floor((8.0 * node->size - 1) * std::log10(2.0)))
        return;
      node->logical = AvroLogicalType::kDecimal;
      node->precision = static_cast<int32_t>(precision);
      node->scale = static_cast<int32_t>(scale);
    } else if (logical == "uuid" &&
               (t == AvroType::kString || (t == AvroType::kFixed && node->size == 16))) {
      node->logical = AvroLogicalType::kUuid;
    } else if (logical == "date" && t == AvroType::kInt) {
      node->logical = AvroLogicalType::kDate;
    } else if (logical == "time-millis" && t == AvroType::kInt) {
      node->logical = AvroLogicalType::kTimeMillis;
    } else if (logical == "time-micros" && is_long) {
      node->logical = AvroLogicalType::kTimeMicros;
    } else if (logical == "timestamp-millis" && is_long) {
      node->logical = AvroLogicalType::kTimestampMillis;
    } else if (logical == "timestamp-micros" && is_long) {
      node->logical = AvroLogicalType::kTimestampMicros;
    } else if (logical == "timestamp-nanos" && is_long) {
      node->logical = AvroLogicalType::kTimestampNanos;
    } else if (logical == "local-timestamp-millis" && is_long) {
      node->logical = AvroLogicalType::kLocalTimestampMillis;
    } else if (logical == "local-timestamp-micros" && is_long) {
      node->logical = AvroLogicalType::kLocalTimestampMicros;
    } else if (logical == "local-timestamp-nanos" && is_long) {
      node->logical = AvroLogicalType::kLocalTimestampNanos;
    }
  }

  std::string Describe(int i) const { return schema_.Describe(i); }

  // Node `i`'s k-th child (field type, item or value type, union branch),
  // -1 past the last.
  int Child(int i, size_t k) const {
    const AvroNode& n = schema_.node(i);
    switch (n.type) {
      case AvroType::kRecord:
        return k < n.fields.size() ? n.fields[k].type : -1;
      case AvroType::kArray:
      case AvroType::kMap:
        return k == 0 ? n.items : -1;
      case AvroType::kUnion:
        return k < n.branches.size() ? n.branches[k] : -1;
      default:
        return -1;
    }
  }

  // How many nodes the schema has as a tree, each use of a named type
  // holding a copy of it; a use inside the type itself (recursion, which
  // the data bounds) counts one. Saturates past kMaxExpandedNodes. A loop
  // with its own stack: a chain of references may be kMaxNodes long.
  int64_t ExpandedSize() const {
    constexpr int64_t kOnPath = -2, kNotSeen = -1;
    std::vector<int64_t> size(static_cast<size_t>(schema_.num_nodes()), kNotSeen);
    std::vector<std::pair<int, size_t>> path = {{schema_.root_, 0}};  // node, next child
    size[static_cast<size_t>(schema_.root_)] = kOnPath;
    while (!path.empty()) {
      const int i = path.back().first;
      const int next = Child(i, path.back().second++);
      if (next >= 0) {
        if (size[static_cast<size_t>(next)] == kNotSeen) {
          size[static_cast<size_t>(next)] = kOnPath;
          path.push_back({next, 0});
        }
        continue;
      }
      int64_t total = 1;
      for (size_t k = 0; Child(i, k) >= 0; ++k) {
        const int64_t child = size[static_cast<size_t>(Child(i, k))];
        total += child == kOnPath ? 1 : child;
      }
      size[static_cast<size_t>(i)] = std::min(total, kMaxExpandedNodes + 1);
      path.pop_back();
    }
    return size[static_cast<size_t>(schema_.root_)];
  }

  AvroSchema schema_;
  std::map<std::string, int> named_;
};

Result<AvroSchema> AvroSchema::Parse(std::string_view json) {
  return AvroSchemaParser().Parse(json);
}

std::string AvroSchema::Describe(int i) const {
  const AvroNode& n = node(i);
  switch (n.type) {
    case AvroType::kNull:
      return "null";
    case AvroType::kBoolean:
      return "boolean";
    case AvroType::kInt:
      return "int";
    case AvroType::kLong:
      return "long";
    case AvroType::kFloat:
      return "float";
    case AvroType::kDouble:
      return "double";
    case AvroType::kBytes:
      return "bytes";
    case AvroType::kString:
      return "string";
    case AvroType::kRecord:
      return "record " + n.name;
    case AvroType::kEnum:
      return "enum " + n.name;
    case AvroType::kFixed:
      return "fixed " + n.name + "(" + std::to_string(n.size) + ")";
    case AvroType::kArray:
      return "array";
    case AvroType::kMap:
      return "map";
    case AvroType::kUnion: {
      std::string out = "union [";
      for (size_t b = 0; b < n.branches.size(); ++b)
        out += (b ? ", " : "") + Describe(n.branches[b]);
      return out + "]";
    }
  }
  return "?";
}

}  // namespace karrow
