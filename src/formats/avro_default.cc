#include "formats/avro_default.h"

#include <simdjson.h>

#include <cstring>

#include "formats/avro_long_encoding.h"
#include "formats/nesting_limit.h"

namespace karrow {
namespace {

using simdjson::dom::element;

// Bytes and fixed defaults are JSON strings whose code points are the bytes.
bool Latin1Bytes(std::string_view utf8, std::string* bytes) {
  for (size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<uint8_t>(utf8[i]);
    if (c < 0x80) {
      bytes->push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < utf8.size()) {
      bytes->push_back(
          static_cast<char>(((c & 0x03) << 6) | (static_cast<uint8_t>(utf8[++i]) & 0x3f)));
    } else {
      return false;
    }
  }
  return true;
}

class DefaultEncoder {
 public:
  explicit DefaultEncoder(const AvroSchema& schema) : schema_(schema) {}

  // Returns false when `v` is not a value of node `i`. Recursive, one call
  // per level of `v` (unions count as one too): `depth` bounds it, 1 at the top.
  bool Encode(int i, element v, std::string* out, int depth) {
    if (depth > kMaxNestingDepth) return false;
    const AvroNode& n = schema_.node(i);
    switch (n.type) {
      case AvroType::kNull:
        return v.is_null();
      case AvroType::kBoolean: {
        bool b;
        if (v.get(b)) return false;
        out->push_back(b ? 1 : 0);
        return true;
      }
      case AvroType::kInt:
      case AvroType::kLong: {
        int64_t x;
        if (v.get(x)) return false;
        if (n.type == AvroType::kInt && (x < INT32_MIN || x > INT32_MAX)) return false;
        AppendAvroLong(x, out);
        return true;
      }
      case AvroType::kFloat:
      case AvroType::kDouble: {
        double d;
        if (!v.is_number() || v.get(d)) return false;
        if (n.type == AvroType::kFloat) {
          auto f = static_cast<float>(d);
          out->append(reinterpret_cast<const char*>(&f), 4);
        } else {
          out->append(reinterpret_cast<const char*>(&d), 8);
        }
        return true;
      }
      case AvroType::kString:
      case AvroType::kBytes:
      case AvroType::kFixed: {
        std::string_view s;
        if (v.get(s)) return false;
        std::string bytes;
        if (n.type == AvroType::kString) {
          bytes = std::string(s);
        } else if (!Latin1Bytes(s, &bytes)) {
          return false;
        }
        if (n.type == AvroType::kFixed) {
          if (bytes.size() != static_cast<size_t>(n.size)) return false;
        } else {
          AppendAvroLong(static_cast<int64_t>(bytes.size()), out);
        }
        out->append(bytes);
        return true;
      }
      case AvroType::kEnum: {
        std::string_view s;
        if (v.get(s)) return false;
        for (size_t k = 0; k < n.symbols.size(); ++k) {
          if (n.symbols[k] == s) {
            AppendAvroLong(static_cast<int64_t>(k), out);
            return true;
          }
        }
        return false;
      }
      case AvroType::kArray: {
        simdjson::dom::array a;
        if (v.get(a)) return false;
        if (a.size() > 0) AppendAvroLong(static_cast<int64_t>(a.size()), out);
        for (element item : a) {
          if (!Encode(n.items, item, out, depth + 1)) return false;
        }
        out->push_back(0);
        return true;
      }
      case AvroType::kMap: {
        simdjson::dom::object o;
        if (v.get(o)) return false;
        if (o.size() > 0) AppendAvroLong(static_cast<int64_t>(o.size()), out);
        for (auto [key, value] : o) {
          AppendAvroLong(static_cast<int64_t>(key.size()), out);
          out->append(key);
          if (!Encode(n.items, value, out, depth + 1)) return false;
        }
        out->push_back(0);
        return true;
      }
      case AvroType::kRecord: {
        simdjson::dom::object o;
        if (v.get(o)) return false;
        for (const AvroField& f : n.fields) {
          element fv;
          if (!o[f.name].get(fv)) {
            if (!Encode(f.type, fv, out, depth + 1)) return false;
          } else if (f.has_default) {
            // The field's own default stands in for a missing value.
            simdjson::dom::parser parser;
            element d;
            if (parser.parse(f.default_json).get(d) || !Encode(f.type, d, out, depth + 1))
              return false;
          } else {
            return false;
          }
        }
        return true;
      }
      case AvroType::kUnion:
        // Avro 1.11 says the default is of the first branch; 1.12 allows any.
        for (size_t b = 0; b < n.branches.size(); ++b) {
          std::string attempt;
          AppendAvroLong(static_cast<int64_t>(b), &attempt);
          if (Encode(n.branches[b], v, &attempt, depth + 1)) {
            out->append(attempt);
            return true;
          }
        }
        return false;
    }
    return false;
  }

 private:
  const AvroSchema& schema_;
};

}  // namespace

Status EncodeAvroDefault(const AvroSchema& schema, int i, std::string_view json, std::string* out) {
  simdjson::dom::parser parser;
  element v;
  if (parser.parse(json.data(), json.size()).get(v))
    return Status::Invalid("default is not valid JSON: " + std::string(json));
  if (!DefaultEncoder(schema).Encode(i, v, out, 1)) {
    return Status::Invalid("default " + std::string(json) + " is not a value of type " +
                           schema.Describe(i));
  }
  return Status::OK();
}

}  // namespace karrow
