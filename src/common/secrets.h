// Keeping credentials out of everything karrow writes: which property keys
// hold secrets, and a redactor that masks known secret values in any text.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace karrow {

/// What a masked secret reads as.
inline constexpr const char* kRedacted = "<redacted>";

/// True when the value of property `key` (any spelling karrow accepts:
/// librdkafka's dotted names, client_configs.*, schema_registry.*) is a
/// credential that must never be echoed.
bool IsSensitiveKey(std::string_view key);

/// Knows the secret values of configurations and masks them, plain and in
/// base64 (as an HTTP Basic Authorization header carries them), in text.
/// Values shorter than kMinSecretSize are not masked in free text: masking
/// "abc" everywhere would mangle messages; messages built from a
/// configuration leave such values out at their source instead.
class Redactor {
 public:
  static constexpr size_t kMinSecretSize = 4;

  /// A secret value.
  void Add(std::string_view secret);
  /// The value of property `key`: added when the key is sensitive; a URL's
  /// user-info password is added whatever the key.
  void AddProperty(std::string_view key, std::string_view value);
  /// "user:password", as HTTP Basic auth sends it: the whole, its password
  /// and the base64 of the whole.
  void AddUserInfo(std::string_view user_info);

  /// `text` with every known secret, and the password of any URL's
  /// user-info (scheme://user:password@host), replaced by kRedacted.
  std::string Scrub(std::string text) const;
  bool empty() const { return secrets_.empty(); }

 private:
  std::vector<std::string> secrets_;  // longest first, so a secret's parts go after it
};

/// The standard base64 alphabet, with padding.
std::string Base64Encode(std::string_view bytes);

/// The process's redactor: every configuration karrow parses or validates
/// adds its secrets here, and every Status and log line is scrubbed by it.
/// Secrets stay for the process's life (a Python process may open readers
/// with different credentials; any of them must stay masked).
void RegisterSecretProperty(std::string_view key, std::string_view value);
void RegisterSecret(std::string_view secret);
void RegisterUserInfo(std::string_view user_info);
std::string ScrubSecrets(std::string text);

}  // namespace karrow
