// What one OONI Probe measurement says about one application, as blackout keeps it: who measured
// (country, ASN, time), which test, and the verdict read from the test's own fields (docs/ooni.md
// gives the mapping per test with its spec version). Pure value types; the decoding is in
// decode.h, the reading of files in reader.h. Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "blackout/base/time.h"

namespace blackout::ooni {

// A measurement's outcome for its application.
enum class Outcome : uint8_t {
  kOk = 0,       // the test reached the application
  kBlocked = 1,  // the test's verdict fields say it was blocked (or an anomaly OONI flags so)
  kFailed = 2,   // the measurement failed (probe side or test helper): says nothing either way
  kUnknown = 3,  // no verdict field, or one the spec says cannot be trusted
};
std::string_view OutcomeName(Outcome o);  // "ok", "blocked", "failed", "unknown"

// How a blocked application was blocked, from the verdict field or the failure string beside it.
enum class Method : uint8_t {
  kNone = 0,         // not blocked
  kDns = 1,          // DNS tampering (inconsistent answers, NXDOMAIN, no data)
  kTcpIp = 2,        // TCP/IP (connections refused, timed out, reset)
  kTls = 3,          // TLS (handshake failures, certificate errors)
  kHttp = 4,         // HTTP (responses differ from the control, unexpected status)
  kUnspecified = 5,  // blocked, but the test does not say how (tor bootstrap, VPN API)
};
// "", "DNS", "TCP/IP", "TLS", "HTTP", "unspecified"
std::string_view MethodName(Method m);

// A verdict and the field that decided it (`field` = "signal_backend_status", `value` = its JSON
// text, e.g. "\"blocked\""; `detail` = a failure string or caveat, "" when none).
struct Verdict {
  Outcome outcome = Outcome::kUnknown;
  Method method = Method::kNone;
  std::string field;
  std::string value;
  std::string detail;
};

struct Measurement {
  std::string test_name;     // "telegram"
  std::string test_version;  // "0.2.0"
  std::string app;           // "telegram"; see AppOfTest
  std::string probe_cc;      // "KZ" (upper case, two letters; "ZZ" = unknown to OONI)
  uint32_t probe_asn = 0;    // 0 = unknown (AS0)
  UnixSeconds start = 0;     // measurement_start_time (UTC)
  std::string input;         // the URL of a web_connectivity measurement ("" for app tests)
  std::string report_id;
  Verdict verdict;
};

// The application a test measures ("" for a test that measures no application blackout tracks):
// telegram, signal, whatsapp, facebook_messenger -> facebook-messenger, web_connectivity -> web,
// tor and vanilla_tor -> tor, torsf -> tor-snowflake, psiphon, riseupvpn.
std::string_view AppOfTest(std::string_view test_name);

}  // namespace blackout::ooni
