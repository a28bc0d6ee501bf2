#include "common/secrets.h"

#include <gtest/gtest.h>

#include "karrow/status.h"

namespace karrow {
namespace {

TEST(SecretsTest, SensitiveKeys) {
  for (const char* key : {"sasl.password", "client_configs.sasl.password", "ssl.key.password",
                          "ssl.keystore.password", "sasl.oauthbearer.client.secret",
                          "sasl.jaas.config", "ssl.key.pem", "schema_registry.basic_auth_user_info",
                          "schema_registry.bearer_token", "schema_registry.ssl_key_password",
                          "basic.auth.user.info", "SASL.PASSWORD", "sasl.oauthbearer.config"}) {
    EXPECT_TRUE(IsSensitiveKey(key)) << key;
  }
  for (const char* key : {"bootstrap.servers", "sasl.username", "sasl.mechanism", "topic",
                          "schema_registry.url", "ssl.ca.location", "client_configs.debug"}) {
    EXPECT_FALSE(IsSensitiveKey(key)) << key;
  }
}

TEST(SecretsTest, Base64) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("u:SENTINEL456"), "dTpTRU5USU5FTDQ1Ng==");
}

TEST(SecretsTest, MasksPlainAndBase64Forms) {
  Redactor r;
  r.AddProperty("client_configs.sasl.password", "hunter2hunter2");
  r.AddProperty("schema_registry.basic_auth_user_info", "u:SENTINEL456");
  r.AddProperty("sasl.username", "alice");  // not a secret
  EXPECT_EQ(r.Scrub("sasl.password=hunter2hunter2: bad"), "sasl.password=<redacted>: bad");
  EXPECT_EQ(r.Scrub("got Authorization: Basic dTpTRU5USU5FTDQ1Ng=="),
            "got Authorization: Basic <redacted>==");
  EXPECT_EQ(r.Scrub("user u:SENTINEL456 and SENTINEL456 alone"),
            "user <redacted> and <redacted> alone");
  EXPECT_EQ(r.Scrub(Base64Encode("hunter2hunter2")), "<redacted>=");  // padding tells nothing
  EXPECT_EQ(r.Scrub("alice"), "alice");
}

TEST(SecretsTest, ShortValuesAreNotMaskedInFreeText) {
  Redactor r;
  r.AddProperty("sasl.password", "abc");
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.Scrub("abc"), "abc");
}

TEST(SecretsTest, UrlUserInfoIsMaskedKnownOrNot) {
  Redactor r;
  EXPECT_EQ(r.Scrub("GET https://bob:pa55word@registry:8081/subjects failed"),
            "GET https://bob:<redacted>@registry:8081/subjects failed");
  EXPECT_EQ(r.Scrub("a http://h:1/x and https://u:p@h"),
            "a http://h:1/x and https://u:<redacted>@h");
  EXPECT_EQ(r.Scrub("no url: user@host"), "no url: user@host");
  r.AddProperty("schema_registry.url", "https://bob:pa55word@registry:8081");
  EXPECT_EQ(r.Scrub("echoed pa55word"), "echoed <redacted>");
}

TEST(SecretsTest, EveryStatusIsScrubbedOnceTheSecretIsRegistered) {
  const std::string secret = "st4tus-secret-value";
  EXPECT_NE(Status::Invalid("x " + secret).message().find(secret), std::string::npos);
  RegisterSecretProperty("client_configs.ssl.key.password", secret);
  EXPECT_EQ(Status::Invalid("x " + secret).message(), "x <redacted>");
  EXPECT_EQ(ScrubSecrets("y " + Base64Encode(secret)).find(Base64Encode(secret).substr(0, 8)),
            std::string::npos);
}

}  // namespace
}  // namespace karrow
