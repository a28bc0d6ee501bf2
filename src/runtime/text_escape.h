// The %XX escaping of the runtime's text files (state files, manifests, the
// sink's job file): a token may then hold any bytes and still never break a
// line or a space-separated field.
#pragma once

#include <string>

#include "karrow/status.h"

namespace karrow {

/// Every byte <= 0x20, >= 0x7f, and '%' becomes %XX (uppercase hex).
std::string EscapeToken(const std::string& s);
/// The inverse of EscapeToken; Invalid for a '%' without two hex digits.
Result<std::string> UnescapeToken(const std::string& s);

}  // namespace karrow
