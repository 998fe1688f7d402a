// The verdict rules on hand-made test_keys: the layouts the real files do not cover (old
// facebook_messenger keys with dashes, web_connectivity's blocking values, tor targets).
#include "blackout/ooni/verdict.h"

#include <gtest/gtest.h>

namespace blackout::ooni {
namespace {

Scalar Str(std::string_view s) {
  Scalar v;
  v.kind = Scalar::Kind::kString;
  v.text = s;
  return v;
}
Scalar Bool(bool b) {
  Scalar v;
  v.kind = Scalar::Kind::kBool;
  v.b = b;
  return v;
}
Scalar Null() {
  Scalar v;
  v.kind = Scalar::Kind::kNull;
  return v;
}

Verdict MustJudge(std::string_view test, const TestKeys& k) {
  auto v = Judge(test, "0.4.0", 1641340800, k);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Verdict{};
}

TEST(VerdictTest, WebConnectivityBlockingValues) {
  struct Case {
    Scalar blocking;
    const char* http_failure;
    Outcome outcome;
    Method method;
  };
  const Case cases[] = {
      {Str("dns"), "", Outcome::kBlocked, Method::kDns},
      {Str("tcp_ip"), "", Outcome::kBlocked, Method::kTcpIp},
      {Str("http-diff"), "", Outcome::kBlocked, Method::kHttp},
      {Str("http-failure"), "connection_reset", Outcome::kBlocked, Method::kHttp},
      {Str("http-failure"), "ssl_invalid_hostname", Outcome::kBlocked, Method::kTls},
      {Bool(false), "", Outcome::kFailed, Method::kNone},
      {Null(), "", Outcome::kFailed, Method::kNone},
  };
  for (const Case& c : cases) {
    TestKeys k;
    k[Key::kBlocking] = c.blocking;
    k[Key::kAccessible] = c.outcome == Outcome::kFailed ? Null() : Bool(false);
    if (c.blocking.is_false()) k[Key::kAccessible] = Bool(false);
    if (*c.http_failure) k[Key::kHttpExperimentFailure] = Str(c.http_failure);
    Verdict v = MustJudge("web_connectivity", k);
    SCOPED_TRACE(c.blocking.Json());
    EXPECT_EQ(v.outcome, c.outcome);
    EXPECT_EQ(v.method, c.method);
    EXPECT_EQ(v.field, "blocking");
  }
}

// facebook_messenger up to 0.3.0 wrote "facebook-tcp-blocking".
TEST(VerdictTest, FacebookOldAndNewKeys) {
  Key k;
  ASSERT_TRUE(LookupKey("facebook-tcp-blocking", &k));
  EXPECT_EQ(k, Key::kFacebookTcpBlocking);
  ASSERT_TRUE(LookupKey("facebook_dns_blocking", &k));
  EXPECT_EQ(k, Key::kFacebookDnsBlocking);
  TestKeys t;
  t[Key::kFacebookTcpBlocking] = Bool(true);
  t[Key::kFacebookDnsBlocking] = Bool(false);
  Verdict v = MustJudge("facebook_messenger", t);
  EXPECT_EQ(v.outcome, Outcome::kBlocked);
  EXPECT_EQ(v.method, Method::kTcpIp);
  EXPECT_EQ(v.field, "facebook_tcp_blocking");
  t[Key::kFacebookTcpBlocking] = Bool(false);
  EXPECT_EQ(MustJudge("facebook_messenger", t).outcome, Outcome::kOk);
}

TEST(VerdictTest, TelegramOrderOfEvidence) {
  TestKeys t;
  t[Key::kTelegramTcpBlocking] = Bool(false);
  t[Key::kTelegramHttpBlocking] = Bool(true);
  t[Key::kTelegramWebStatus] = Str("ok");
  Verdict v = MustJudge("telegram", t);
  EXPECT_EQ(v.outcome, Outcome::kBlocked);
  EXPECT_EQ(v.method, Method::kHttp);
  EXPECT_EQ(v.field, "telegram_http_blocking");
  t[Key::kTelegramHttpBlocking] = Bool(false);
  t[Key::kTelegramWebStatus] = Str("blocked");
  t[Key::kTelegramWebFailure] = Str("ssl_invalid_hostname");
  v = MustJudge("telegram", t);
  EXPECT_EQ(v.method, Method::kTls);
  EXPECT_EQ(v.detail, "ssl_invalid_hostname");
  TestKeys none;
  none[Key::kFailure] = Str("generic_timeout_error");
  EXPECT_EQ(MustJudge("telegram", none).outcome, Outcome::kFailed);
}

TEST(VerdictTest, TorTargets) {
  TestKeys t;
  t.has_targets = true;
  t.targets = 3;
  t.targets_failed = 3;
  t.first_target_failure = "connection_refused";
  Verdict v = MustJudge("tor", t);
  EXPECT_EQ(v.outcome, Outcome::kBlocked);
  EXPECT_EQ(v.method, Method::kTcpIp);
  EXPECT_EQ(v.value, "3 of 3 failed");
}

TEST(VerdictTest, WrongTypesAndUnknownTestsAreErrors) {
  TestKeys t;
  Scalar n;
  n.kind = Scalar::Kind::kNumber;
  n.number = 5;
  t[Key::kSignalBackendStatus] = n;
  auto v = Judge("signal", "0.2.2", 0, t);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("signal_backend_status is 5"), std::string::npos);
  EXPECT_FALSE(Judge("dash", "", 0, TestKeys{}).ok());
}

TEST(VerdictTest, FailureStringsToMethods) {
  EXPECT_EQ(MethodOfFailure("dns_nxdomain_error", Method::kHttp), Method::kDns);
  EXPECT_EQ(MethodOfFailure("android_dns_cache_no_data", Method::kHttp), Method::kDns);
  EXPECT_EQ(MethodOfFailure("ssl_unknown_authority", Method::kHttp), Method::kTls);
  EXPECT_EQ(MethodOfFailure("connection_refused", Method::kHttp), Method::kTcpIp);
  EXPECT_EQ(MethodOfFailure("http_unexpected_status_code", Method::kTls), Method::kHttp);
  EXPECT_EQ(MethodOfFailure("eof_error", Method::kTls), Method::kTls);
}

}  // namespace
}  // namespace blackout::ooni
