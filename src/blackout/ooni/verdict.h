// The verdict rules: from the few test_keys fields that carry OONI's own verdict (collected by
// the decoder into TestKeys) to an Outcome, a Method and the deciding field. One function per
// test; docs/ooni.md is the table they implement, with each test's spec version. Kept apart from
// the JSON decoding so the rules can be tested and read without any parser.
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "blackout/base/status.h"
#include "blackout/ooni/measurement.h"

namespace blackout::ooni {

// One scalar JSON value, borrowed from the decoder's buffer.
struct Scalar {
  enum class Kind : uint8_t { kAbsent, kNull, kBool, kString, kNumber, kOther };
  Kind kind = Kind::kAbsent;
  bool b = false;
  double number = 0;
  std::string_view text;  // kString: the unescaped string

  bool absent() const { return kind == Kind::kAbsent; }
  bool null() const { return kind == Kind::kNull; }
  bool is_true() const { return kind == Kind::kBool && b; }
  bool is_false() const { return kind == Kind::kBool && !b; }
  bool is(std::string_view s) const { return kind == Kind::kString && text == s; }
  std::string Json() const;  // the value as JSON text: "null", "true", "\"dns\"", "3", "{...}"
};

// The test_keys fields the rules read. The decoder fills the ones present.
enum class Key : uint8_t {
  kBlocking,
  kAccessible,
  kHttpExperimentFailure,
  kControlFailure,
  kDnsExperimentFailure,
  kTelegramTcpBlocking,
  kTelegramHttpBlocking,
  kTelegramWebStatus,
  kTelegramWebFailure,
  kSignalBackendStatus,
  kSignalBackendFailure,
  kWhatsappEndpointsStatus,
  kRegistrationServerStatus,
  kRegistrationServerFailure,
  kWhatsappWebStatus,
  kWhatsappWebFailure,
  kFacebookTcpBlocking,
  kFacebookDnsBlocking,
  kSuccess,
  kFailure,
  kApiStatus,
  kApiFailure,
  kCount,
};
std::string_view KeyName(Key k);  // the JSON key ("telegram_tcp_blocking")
// The key a JSON name stands for, old layouts included ("facebook-tcp-blocking" up to
// facebook_messenger 0.3.0); false when the rules do not read it.
bool LookupKey(std::string_view name, Key* key);

struct TestKeys {
  std::array<Scalar, static_cast<size_t>(Key::kCount)> fields;
  // tor: the targets (an object keyed by address, or a list in older versions) and how many of
  // them carried a "failure" key that was null (reached) or a string (failed).
  bool has_targets = false;
  uint32_t targets = 0, targets_reached = 0, targets_failed = 0;
  std::string_view first_target_failure;

  Scalar& operator[](Key k) { return fields[static_cast<size_t>(k)]; }
  const Scalar& operator[](Key k) const { return fields[static_cast<size_t>(k)]; }
};

// The measurement's verdict for its test. Errors (kDataLoss): a verdict field of a type its spec
// does not allow ("signal_backend_status": 5), or a test_name no rule knows.
// `test_version` and `start` matter where a spec marks versions as untrustworthy.
Result<Verdict> Judge(std::string_view test_name, std::string_view test_version, UnixSeconds start,
                      const TestKeys& keys);

// The method a failure string points at (df-007-errors): dns_* and android_dns_* -> DNS; ssl_*
// and tls_* -> TLS; connection_refused/reset, connect_error, host/network_unreachable,
// generic_timeout_error -> TCP/IP; http_* -> HTTP; anything else -> `fallback`.
Method MethodOfFailure(std::string_view failure, Method fallback);

}  // namespace blackout::ooni
