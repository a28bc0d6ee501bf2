#include "common/secrets.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>

namespace karrow {
namespace {

// The one list of what makes a property's value a secret. Matched as
// substrings of the lower-cased key, so that librdkafka's dotted names
// (sasl.password, ssl.key.password, ssl.keystore.password,
// sasl.oauthbearer.client.secret, sasl.jaas.config), Kafka's Java-style
// names users paste in, and karrow's own schema_registry.* fields
// (basic_auth_user_info, bearer_token, ssl_key_password) are all caught.
// Erring on the side of masking costs a less helpful message; the other
// side costs a leaked credential.
constexpr const char* kSensitiveKeyParts[] = {
    "password",            // sasl.password, ssl.key.password, ssl.keystore.password, ...
    "secret",              // sasl.oauthbearer.client.secret and any *secret*
    "token",               // schema_registry.bearer_token, oauth tokens
    "jaas",                // sasl.jaas.config embeds a password
    "private.key",         // private keys, in any separator
    "private_key",         //
    "ssl.key.pem",         // librdkafka's in-line private key
    "user.info",           // basic.auth.user.info (Confluent's name)
    "user_info",           // schema_registry.basic_auth_user_info
    "userinfo",            //
    "credential",          // credentials of any kind
    "oauthbearer.config",  // sasl.oauthbearer.config may carry a client secret
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The password of the first URL user-info in `value` (scheme://user:password@host).
std::string_view UrlPassword(std::string_view value) {
  size_t scheme = value.find("://");
  if (scheme == std::string_view::npos) return {};
  size_t start = scheme + 3;
  size_t end = value.find_first_of("/?# \t\r\n\"'", start);
  std::string_view authority =
      value.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {};
  size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return {};
  return authority.substr(colon + 1, at - colon - 1);
}

// Masks the passwords of URL user-infos, known or not.
void ScrubUrlUserInfo(std::string* text) {
  for (size_t from = text->find("://"); from != std::string::npos; from = text->find("://", from)) {
    size_t start = from + 3;
    size_t end = text->find_first_of("/?# \t\r\n\"'", start);
    if (end == std::string::npos) end = text->size();
    std::string_view authority(text->data() + start, end - start);
    size_t at = authority.rfind('@');
    size_t colon = at == std::string_view::npos ? at : authority.substr(0, at).find(':');
    if (colon != std::string_view::npos &&
        authority.substr(colon + 1, at - colon - 1) != kRedacted) {
      text->replace(start + colon + 1, at - colon - 1, kRedacted);
    }
    from = start;
  }
}

}  // namespace

bool IsSensitiveKey(std::string_view key) {
  const std::string lower = Lower(key);
  for (const char* part : kSensitiveKeyParts) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string Base64Encode(std::string_view bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void Redactor::Add(std::string_view secret) {
  if (secret.size() < kMinSecretSize) return;
  std::string base64 = Base64Encode(secret);
  // The padding is left out of the match: it tells only the length, and a
  // masked "<redacted>==" still says nothing.
  while (!base64.empty() && base64.back() == '=') base64.pop_back();
  for (std::string form : {std::string(secret), std::move(base64)}) {
    if (std::find(secrets_.begin(), secrets_.end(), form) != secrets_.end()) continue;
    secrets_.push_back(std::move(form));
  }
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

void Redactor::AddUserInfo(std::string_view user_info) {
  Add(user_info);
  if (size_t colon = user_info.find(':'); colon != std::string_view::npos) {
    Add(user_info.substr(colon + 1));
  }
}

void Redactor::AddProperty(std::string_view key, std::string_view value) {
  if (std::string_view password = UrlPassword(value); !password.empty()) Add(password);
  if (!IsSensitiveKey(key)) return;
  if (Lower(key).find("user") != std::string::npos) {
    AddUserInfo(value);
  } else {
    Add(value);
  }
}

std::string Redactor::Scrub(std::string text) const {
  for (const std::string& secret : secrets_) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), kRedacted);
      at += std::string_view(kRedacted).size();
    }
  }
  ScrubUrlUserInfo(&text);
  return text;
}

namespace {

std::mutex& ProcessMutex() {
  static std::mutex mu;
  return mu;
}
Redactor& ProcessRedactor() {
  static Redactor redactor;
  return redactor;
}
// Lets the common case (no secret anywhere) skip the lock.
std::atomic<bool> process_has_secrets{false};

template <typename F>
void Register(F add) {
  std::lock_guard<std::mutex> lock(ProcessMutex());
  add(ProcessRedactor());
  if (!ProcessRedactor().empty()) process_has_secrets.store(true, std::memory_order_release);
}

}  // namespace

void RegisterSecretProperty(std::string_view key, std::string_view value) {
  Register([&](Redactor& r) { r.AddProperty(key, value); });
}
void RegisterSecret(std::string_view secret) {
  Register([&](Redactor& r) { r.Add(secret); });
}
void RegisterUserInfo(std::string_view user_info) {
  Register([&](Redactor& r) { r.AddUserInfo(user_info); });
}

std::string ScrubSecrets(std::string text) {
  if (!process_has_secrets.load(std::memory_order_acquire)) {
    if (text.find("://") != std::string::npos) ScrubUrlUserInfo(&text);
    return text;
  }
  std::lock_guard<std::mutex> lock(ProcessMutex());
  return ProcessRedactor().Scrub(std::move(text));
}

}  // namespace karrow
