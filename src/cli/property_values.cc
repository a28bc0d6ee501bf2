#include "cli/property_values.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace karrow::cli {

bool ResolveValue(const std::string& value, std::string* out, std::string* error) {
  if (!value.empty() && value[0] == '@') {
    const std::string path = value.substr(1);
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      *error = "@" + path + ": cannot read the file";
      return false;
    }
    *out = text.str();
    // Files written by `echo` or an editor end in a newline that is not part of the secret.
    if (!out->empty() && out->back() == '\n') out->pop_back();
    if (!out->empty() && out->back() == '\r') out->pop_back();
    return true;
  }
  if (value.compare(0, 4, "env:") == 0) {
    const std::string name = value.substr(4);
    const char* v = name.empty() ? nullptr : std::getenv(name.c_str());
    if (v == nullptr) {
      *error = "env:" + name + ": the environment variable is not set";
      return false;
    }
    *out = v;
    return true;
  }
  *out = value;
  return true;
}

std::string AsTyped(const std::string& message, const Spellings& spellings) {
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  };
  std::string out = message;
  for (const auto& [key, flag] : spellings) {
    // "key=value" -> "flag value"; "key=true" (a flag without value) -> "flag";
    // "key:" -> "flag:".
    size_t at = 0;
    while ((at = out.find(key, at)) != std::string::npos) {
      const size_t end = at + key.size();
      // Only a name used as one: "key=..." or "key:", not the word in a sentence.
      const bool whole = (at == 0 || !name_char(out[at - 1])) &&
                         (key.find('=') != std::string::npos ||
                          (end < out.size() && (out[end] == '=' || out[end] == ':')));
      if (!whole) {
        at = end;
        continue;
      }
      std::string with = flag;
      size_t replaced = key.size();
      if (end < out.size() && out[end] == '=' && key.find('=') == std::string::npos) {
        const char last = flag.back();
        const bool key_value = flag.compare(0, 3, "-X ") == 0 || flag.compare(0, 3, "-F ") == 0;
        // "-o s@" and "-o -" take the value right after them, -X and -F a
        // key=value, the other flags a value after a space.
        with += last == '@' || last == '-' ? "" : key_value ? "=" : " ";
        replaced += 1;
      }
      out.replace(at, replaced, with);
      at += with.size();
    }
  }
  return out;
}

bool ReadPropertiesFile(const std::string& path,
                        std::vector<std::pair<std::string, std::string>>* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot read the file";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    size_t eq = line.find('=', first);
    std::string key = eq == std::string::npos ? "" : line.substr(first, eq - first);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (key.empty()) {
      // The line is not quoted: a malformed line may well be a secret.
      *error = where + "expected key=value";
      return false;
    }
    std::string value;
    if (!ResolveValue(line.substr(eq + 1), &value, error)) {
      *error = where + key + ": " + *error;
      return false;
    }
    out->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

}  // namespace karrow::cli
