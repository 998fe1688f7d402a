// Every verdict the importer gives for the 16 real measurements in shared/data/ooni, pinned with
// the field that decided it (docs/ooni.md has the rules and the spec version of each).
#include "blackout/ooni/decode.h"

#include <gtest/gtest.h>

#include "blackout/testing/testing.h"

namespace blackout::ooni {
namespace {

struct Pinned {
  const char* file;
  const char* test;
  const char* app;
  const char* cc;
  uint32_t asn;
  Outcome outcome;
  Method method;
  const char* field;
  const char* value;
  const char* detail;
};

const Pinned kPinned[] = {
    {"ooni-backend/20250527233111.802678_ID_webconnectivity_5a37ec909dbf14e3.json",
     "web_connectivity", "web", "ID", 23693, Outcome::kOk, Method::kNone, "accessible", "true", ""},
    {"ooni-backend/bug_352.json", "web_connectivity", "web", "IR", 197207, Outcome::kBlocked,
     Method::kDns, "blocking", "\"dns\"", "connect_error"},
    {"ooni-backend/riseupvpn.json", "riseupvpn", "riseupvpn", "AF", 135376, Outcome::kBlocked,
     Method::kUnspecified, "api_status", "\"blocked\"", ""},
    {"ooni-backend/signal_022.json", "signal", "signal", "IT", 30722, Outcome::kOk, Method::kNone,
     "signal_backend_status", "\"ok\"", ""},
    // test_version 0.2.0 on 2022-10-27: ts-029 says these values cannot be trusted.
    {"ooni-backend/signal_2627.json", "signal", "signal", "AM", 44395, Outcome::kUnknown,
     Method::kNone, "signal_backend_status", "\"blocked\"",
     "signal 0.2.0 after 2022-10-19: not trusted (ts-029, Signal's new root CA)"},
    {"ooni-backend/signal_679.json", "signal", "signal", "US", 7922, Outcome::kBlocked,
     Method::kDns, "signal_backend_status", "\"blocked\"", "android_dns_cache_no_data"},
    // Old layout: data_format_version 0.3.0, no annotations, keys in another order.
    {"ooni-backend/telegram_nourl.json", "telegram", "telegram", "IT", 30722, Outcome::kOk,
     Method::kNone, "telegram_web_status", "\"ok\"", ""},
    {"ooni-backend/tor.json", "tor", "tor", "IT", 30722, Outcome::kOk, Method::kNone,
     "targets[].failure", "0 of 3 failed", ""},
    // Targets as a list, without any "failure" key: says nothing.
    {"ooni-backend/tor_list.json", "tor", "tor", "IT", 30722, Outcome::kUnknown, Method::kNone,
     "targets[].failure", "absent", ""},
    {"ooni-backend/torsf_383.json", "torsf", "tor-snowflake", "TH", 17552, Outcome::kBlocked,
     Method::kUnspecified, "success", "false", "generic_timeout_error"},
    {"ooni-backend/vanilla_tor.json", "vanilla_tor", "tor", "CN", 17623, Outcome::kBlocked,
     Method::kUnspecified, "success", "false", "generic_timeout_error"},
    {"ooni-backend/web_connectivity_ir_fp.json", "web_connectivity", "web", "IR", 197207,
     Outcome::kBlocked, Method::kDns, "blocking", "\"dns\"", "generic_timeout_error"},
    {"ooni-backend/web_connectivity_null.json", "web_connectivity", "web", "TM", 20661,
     Outcome::kFailed, Method::kNone, "blocking", "null", "control_failure connection_refused"},
    {"ooni-backend/whatsapp.json", "whatsapp", "whatsapp", "IE", 6830, Outcome::kBlocked,
     Method::kHttp, "whatsapp_web_status", "\"blocked\"", "http_unexpected_status_code"},
    {"ooni-probe-cli/webconnectivity-it-2023-11-30.json", "web_connectivity", "web", "IT", 30722,
     Outcome::kOk, Method::kNone, "accessible", "true", ""},
    {"ooni-probe-cli/webconnectivity-it-2024-01-23.json", "web_connectivity", "web", "IT", 30722,
     Outcome::kOk, Method::kNone, "accessible", "true", ""},
};

TEST(DecodeTest, EveryRealMeasurementHasItsPinnedVerdict) {
  Decoder decoder;
  for (const Pinned& p : kPinned) {
    SCOPED_TRACE(p.file);
    std::string json = testing::ReadFile(testing::DataFile(std::string("ooni/") + p.file));
    ASSERT_FALSE(json.empty());
    Measurement m;
    Status st = decoder.Decode(json, &m);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(m.test_name, p.test);
    EXPECT_EQ(m.app, p.app);
    EXPECT_EQ(m.probe_cc, p.cc);
    EXPECT_EQ(m.probe_asn, p.asn);
    EXPECT_GT(m.start, 1500000000);
    EXPECT_EQ(OutcomeName(m.verdict.outcome), OutcomeName(p.outcome));
    EXPECT_EQ(MethodName(m.verdict.method), MethodName(p.method));
    EXPECT_EQ(m.verdict.field, p.field);
    EXPECT_EQ(m.verdict.value, p.value);
    EXPECT_EQ(m.verdict.detail, p.detail);
  }
}

TEST(DecodeTest, ReadsTheApiAnswerWithTheMeasurementAsAString) {
  std::string raw = testing::ReadFile(testing::DataFile("ooni/ooni-backend/whatsapp.json"));
  std::string escaped;
  for (char c : raw) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  std::string answer = R"({"anomaly":true,"confirmed":false,"failure":false,"input":null,)"
                       R"("measurement_uid":"20221202125849.1_IE_whatsapp_x","probe_asn":6830,)"
                       R"("probe_cc":"IE","raw_measurement":")" +
                       escaped + R"(","report_id":"r","scores":"{}","test_name":"whatsapp"})";
  Decoder decoder;
  Measurement m;
  Status st = decoder.Decode(answer, &m);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(m.test_name, "whatsapp");
  EXPECT_EQ(m.probe_cc, "IE");
  EXPECT_EQ(m.verdict.field, "whatsapp_web_status");
  EXPECT_EQ(m.verdict.outcome, Outcome::kBlocked);
}

TEST(DecodeTest, ParsesOoniTimes) {
  EXPECT_EQ(*ParseOoniTime("2022-01-05 00:00:00"), 1641340800);
  EXPECT_EQ(*ParseOoniTime("2022-01-05T00:00:01Z"), 1641340801);
  EXPECT_FALSE(ParseOoniTime("2022-13-05 00:00:00").ok());
  EXPECT_FALSE(ParseOoniTime("yesterday").ok());
}

// Bad input: each is reported (kDataLoss, with what and why), never a crash.
TEST(DecodeTest, RefusesBadMeasurementsWithAReason) {
  const std::string good =
      R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS9198",)"
      R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{"telegram_tcp_blocking":true}})";
  Decoder decoder;
  Measurement m;
  ASSERT_TRUE(decoder.Decode(good, &m).ok());
  EXPECT_EQ(m.verdict.outcome, Outcome::kBlocked);
  EXPECT_EQ(m.verdict.method, Method::kTcpIp);
  struct Case {
    std::string json, want;
  };
  const Case cases[] = {
      {good.substr(0, good.size() / 2), "JSON error"},
      {"[1,2]", "want an object"},
      {"", "JSON error"},
      {R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS9198",)"
       R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{"telegram_tcp_blocking":"yes"}})",
       "telegram_tcp_blocking is \"yes\""},
      {R"({"test_name":"telegram","probe_cc":7,"probe_asn":"AS9198",)"
       R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{}})",
       "probe_cc is 7"},
      {R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"ASx",)"
       R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{}})",
       "probe_asn"},
      {R"({"test_name":"ndt","probe_cc":"KZ","probe_asn":"AS9198",)"
       R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{}})",
       "unknown test 'ndt'"},
      {R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS9198","test_keys":{}})",
       "measurement_start_time"},
      {R"({"test_name":"signal","probe_cc":"KZ","probe_asn":"AS9198",)"
       R"("measurement_start_time":"2022-01-04 10:00:00"})",
       "no test_keys"},
      {R"({"test_name":"web_connectivity","probe_cc":"KZ","probe_asn":"AS9198",)"
       R"("measurement_start_time":"2022-01-04 10:00:00","test_keys":{"blocking":"maybe"}})",
       "blocking is \"maybe\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    Status st = decoder.Decode(c.json, &m);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss);
    EXPECT_NE(st.message().find(c.want), std::string::npos) << st.message();
  }
}

TEST(DecodeTest, RefusesAHugeMeasurementWithoutParsingIt) {
  std::string huge =
      R"({"test_name":"telegram","input":")" + std::string(kMaxMeasurementBytes, 'x') + R"("})";
  Decoder decoder;
  Measurement m;
  Status st = decoder.Decode(huge, &m);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_NE(st.message().find("MiB limit"), std::string::npos) << st.message();
}

TEST(DecodeTest, AHugeFieldInsideTheLimitIsSkipped) {
  std::string json = R"({"test_name":"telegram","probe_cc":"KZ","probe_asn":"AS9198",)"
                     R"("measurement_start_time":"2022-01-04 10:00:00","input":")" +
                     std::string(1 << 20, 'x') + R"(","test_keys":{"requests":[)" +
                     std::string(500, '[') + std::string(500, ']') +
                     R"(],"telegram_tcp_blocking":false,"telegram_http_blocking":false}})";
  Decoder decoder;
  Measurement m;
  Status st = decoder.Decode(json, &m);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(m.verdict.outcome, Outcome::kOk);
  EXPECT_EQ(m.input.size(), 2048u);
}

}  // namespace
}  // namespace blackout::ooni
