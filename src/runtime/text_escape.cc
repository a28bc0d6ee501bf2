#include "runtime/text_escape.h"

#include <cstdio>

namespace karrow {

std::string EscapeToken(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '%') {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

Result<std::string> UnescapeToken(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned int byte = 0;
    if (i + 2 >= s.size() || std::sscanf(s.c_str() + i + 1, "%2X", &byte) != 1) {
      return Status::Invalid("bad escape in '" + s + "'");
    }
    out += static_cast<char>(byte);
    i += 2;
  }
  return out;
}

}  // namespace karrow
