// Where the CLI's property values come from: the command line, a
// properties file (-F), and references in a value (@FILE, env:NAME), so
// that secrets need not appear on a command line, where `ps` shows them.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace karrow::cli {

/// The value a property stands for: "@FILE" is the content of FILE (one
/// trailing newline dropped), "env:NAME" the environment variable NAME;
/// anything else is itself. A literal value that starts with '@' or "env:"
/// goes through a file. False (with *error set, never quoting the value)
/// when the file cannot be read or the variable is unset.
bool ResolveValue(const std::string& value, std::string* out, std::string* error);

/// The key=value lines of a properties file, in order. Blank lines and
/// lines starting with '#' are skipped; the key is trimmed, the value kept
/// as written (after '='). Values are resolved as ResolveValue says. False
/// (with *error set, naming the line, never quoting it) on a malformed line.
/// What the user typed for a property: {"bad_data", "--bad-data"} (or a
/// key=value, {"stop_at_end=true", "-e"}, for a flag without a value).
using Spellings = std::vector<std::pair<std::string, std::string>>;

/// `message` (an error from the source's configuration) worded in what the
/// user typed: "bad_data=drop" becomes "--bad-data drop", "linger_ms:"
/// becomes "--linger-ms:". Only whole property names are replaced.
std::string AsTyped(const std::string& message, const Spellings& spellings);

bool ReadPropertiesFile(const std::string& path,
                        std::vector<std::pair<std::string, std::string>>* out, std::string* error);

}  // namespace karrow::cli
