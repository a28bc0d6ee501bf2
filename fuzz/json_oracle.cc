#include "json_oracle.h"

#include <simdjson.h>

#include "formats/nesting_limit.h"

namespace karrow::fuzz {
namespace {

class Judge {
 public:
  explicit Judge(std::string_view text) : s_(text) {}

  JsonVerdict Run() {
    if (!simdjson::validate_utf8(s_.data(), s_.size())) return JsonVerdict::kInvalid;
    Space();
    bool ok = Value(0);
    if (too_deep_) return JsonVerdict::kTooDeep;
    Space();
    return ok && at_ == s_.size() ? JsonVerdict::kValid : JsonVerdict::kInvalid;
  }

 private:
  bool More() const { return at_ < s_.size(); }
  char Peek() const { return More() ? s_[at_] : '\0'; }
  bool Eat(char c) {
    if (!More() || s_[at_] != c) return false;
    ++at_;
    return true;
  }
  void Space() {
    while (More() && (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r'))
      ++at_;
  }
  bool Word(std::string_view w) {
    if (s_.substr(at_, w.size()) != w) return false;
    at_ += w.size();
    return true;
  }
  static bool Digit(char c) { return c >= '0' && c <= '9'; }
  bool Digits() {
    size_t start = at_;
    while (More() && Digit(s_[at_])) ++at_;
    return at_ > start;
  }

  // `depth`: the arrays and objects around the value. One that would be
  // deeper than karrow's limit stops the judging: the limit, not the
  // grammar, decides about the whole text (bounding this recursion too).
  bool Value(int depth) {
    if ((Peek() == '{' || Peek() == '[') && depth + 1 > kMaxNestingDepth) {
      too_deep_ = true;
      return false;
    }
    switch (Peek()) {
      case '{':
        return Object(depth);
      case '[':
        return Array(depth);
      case '"':
        return String();
      case 't':
        return Word("true");
      case 'f':
        return Word("false");
      case 'n':
        return Word("null");
      default:
        return Number();
    }
  }

  bool Object(int depth) {
    Eat('{');
    Space();
    if (Eat('}')) return true;
    while (true) {
      Space();
      if (!String()) return false;
      Space();
      if (!Eat(':')) return false;
      Space();
      if (!Value(depth + 1)) return false;
      Space();
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }

  bool Array(int depth) {
    Eat('[');
    Space();
    if (Eat(']')) return true;
    while (true) {
      Space();
      if (!Value(depth + 1)) return false;
      Space();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
    }
  }

  // Four hex digits after "\u"; -1 when malformed.
  int Hex4() {
    if (at_ + 4 > s_.size()) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[at_++];
      int d = Digit(c)                 ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  }

  bool String() {
    if (!Eat('"')) return false;
    while (More()) {
      unsigned char c = static_cast<unsigned char>(s_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;  // control characters must be escaped
      if (c != '\\') continue;
      if (!More()) return false;
      char e = s_[at_++];
      if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
          e == 't')
        continue;
      if (e != 'u') return false;
      int unit = Hex4();
      if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff)) return false;  // a low surrogate alone
      if (unit >= 0xd800 && unit <= 0xdbff) {
        if (!Word("\\u")) return false;
        int low = Hex4();
        if (low < 0xdc00 || low > 0xdfff) return false;
      }
    }
    return false;
  }

  bool Number() {
    Eat('-');
    if (Eat('0')) {
      // no more digits may follow a leading zero
    } else if (!More() || s_[at_] < '1' || s_[at_] > '9' || !Digits()) {
      return false;
    }
    if (Eat('.') && !Digits()) return false;
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
    }
    return true;
  }

  std::string_view s_;
  size_t at_ = 0;
  bool too_deep_ = false;
};

}  // namespace

JsonVerdict JudgeJson(std::string_view text) { return Judge(text).Run(); }

}  // namespace karrow::fuzz
