#include "blackout/ooni/verdict.h"

#include <cstdio>
#include <optional>
#include <string>

namespace blackout::ooni {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Key::kCount)> kKeyNames = {
    "blocking",
    "accessible",
    "http_experiment_failure",
    "control_failure",
    "dns_experiment_failure",
    "telegram_tcp_blocking",
    "telegram_http_blocking",
    "telegram_web_status",
    "telegram_web_failure",
    "signal_backend_status",
    "signal_backend_failure",
    "whatsapp_endpoints_status",
    "registration_server_status",
    "registration_server_failure",
    "whatsapp_web_status",
    "whatsapp_web_failure",
    "facebook_tcp_blocking",
    "facebook_dns_blocking",
    "success",
    "failure",
    "api_status",
    "api_failure",
};

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

Verdict Make(Outcome o, Method m, Key k, const Scalar& v, std::string detail = "") {
  return Verdict{o, m, std::string(KeyName(k)), v.Json(), std::move(detail)};
}

Status WrongType(Key k, const Scalar& v, std::string_view want) {
  return DataLoss("test_keys." + std::string(KeyName(k)) + " is " + v.Json() + ", want " +
                  std::string(want));
}

// A field that must be a boolean (or null/absent).
Status CheckBool(const TestKeys& t, Key k) {
  const Scalar& v = t[k];
  if (v.absent() || v.null() || v.kind == Scalar::Kind::kBool) return Status::Ok();
  return WrongType(k, v, "true, false or null");
}

// A field that must be a string (or null/absent).
Status CheckString(const TestKeys& t, Key k) {
  const Scalar& v = t[k];
  if (v.absent() || v.null() || v.kind == Scalar::Kind::kString) return Status::Ok();
  return WrongType(k, v, "a string or null");
}

// A "blocked" | "ok" | null status field with its failure string beside it; nullopt when neither.
std::optional<Verdict> StatusField(const TestKeys& t, Key status, Key failure, Method fallback) {
  const Scalar& s = t[status];
  if (s.is("blocked")) {
    std::string_view f = t[failure].kind == Scalar::Kind::kString ? t[failure].text : "";
    return Make(Outcome::kBlocked, MethodOfFailure(f, fallback), status, s, std::string(f));
  }
  return std::nullopt;
}

// What a measurement without any verdict field says: failed when the test itself failed.
Verdict NoVerdict(const TestKeys& t, Key verdict_key) {
  const Scalar& f = t[Key::kFailure];
  if (f.kind == Scalar::Kind::kString) {
    return Make(Outcome::kFailed, Method::kNone, Key::kFailure, f, std::string(f.text));
  }
  return Make(Outcome::kUnknown, Method::kNone, verdict_key, t[verdict_key]);
}

// ts-020 telegram, 2022-12-07-001 (keys unchanged since the first engine versions).
Result<Verdict> JudgeTelegram(const TestKeys& t) {
  BLACKOUT_RETURN_IF_ERROR(CheckBool(t, Key::kTelegramTcpBlocking));
  BLACKOUT_RETURN_IF_ERROR(CheckBool(t, Key::kTelegramHttpBlocking));
  BLACKOUT_RETURN_IF_ERROR(CheckString(t, Key::kTelegramWebStatus));
  const Scalar& tcp = t[Key::kTelegramTcpBlocking];
  const Scalar& http = t[Key::kTelegramHttpBlocking];
  if (tcp.is_true()) return Make(Outcome::kBlocked, Method::kTcpIp, Key::kTelegramTcpBlocking, tcp);
  if (http.is_true()) {
    return Make(Outcome::kBlocked, Method::kHttp, Key::kTelegramHttpBlocking, http);
  }
  if (auto v = StatusField(t, Key::kTelegramWebStatus, Key::kTelegramWebFailure, Method::kHttp)) {
    return *v;
  }
  const Scalar& web = t[Key::kTelegramWebStatus];
  if (web.is("ok")) return Make(Outcome::kOk, Method::kNone, Key::kTelegramWebStatus, web);
  if (tcp.is_false() && http.is_false()) {
    return Make(Outcome::kOk, Method::kNone, Key::kTelegramHttpBlocking, http);
  }
  return NoVerdict(t, Key::kTelegramTcpBlocking);
}

// ts-029 signal, 2021-02-15-001. Its "Data analysis considerations": test_version 0.2.0 after
// 2022-10-19 cannot be trusted (Signal changed a root CA; probe issue 2344).
Result<Verdict> JudgeSignal(const TestKeys& t, std::string_view version, UnixSeconds start) {
  BLACKOUT_RETURN_IF_ERROR(CheckString(t, Key::kSignalBackendStatus));
  BLACKOUT_RETURN_IF_ERROR(CheckString(t, Key::kSignalBackendFailure));
  const Scalar& s = t[Key::kSignalBackendStatus];
  constexpr UnixSeconds k20221019 = 1666137600;
  if (s.is("blocked") && version == "0.2.0" && start >= k20221019) {
    return Make(Outcome::kUnknown, Method::kNone, Key::kSignalBackendStatus, s,
                "signal 0.2.0 after 2022-10-19: not trusted (ts-029, Signal's new root CA)");
  }
  if (auto v =
          StatusField(t, Key::kSignalBackendStatus, Key::kSignalBackendFailure, Method::kTls)) {
    return *v;
  }
  if (s.is("ok")) return Make(Outcome::kOk, Method::kNone, Key::kSignalBackendStatus, s);
  return NoVerdict(t, Key::kSignalBackendStatus);
}

// ts-018 whatsapp, 2020-07-09-001: the app's endpoints, then registration, then the web client.
Result<Verdict> JudgeWhatsapp(const TestKeys& t) {
  for (Key k :
       {Key::kWhatsappEndpointsStatus, Key::kRegistrationServerStatus, Key::kWhatsappWebStatus}) {
    BLACKOUT_RETURN_IF_ERROR(CheckString(t, k));
  }
  const Scalar& ep = t[Key::kWhatsappEndpointsStatus];
  if (ep.is("blocked")) {
    return Make(Outcome::kBlocked, Method::kTcpIp, Key::kWhatsappEndpointsStatus, ep);
  }
  if (auto v = StatusField(t, Key::kRegistrationServerStatus, Key::kRegistrationServerFailure,
                           Method::kTls)) {
    return *v;
  }
  if (auto v = StatusField(t, Key::kWhatsappWebStatus, Key::kWhatsappWebFailure, Method::kHttp)) {
    return *v;
  }
  if (ep.is("ok")) return Make(Outcome::kOk, Method::kNone, Key::kWhatsappEndpointsStatus, ep);
  return NoVerdict(t, Key::kWhatsappEndpointsStatus);
}

// ts-019 facebook_messenger, 2016-10-25-001 (dashes in the keys up to 0.3.0: LookupKey).
Result<Verdict> JudgeFacebook(const TestKeys& t) {
  BLACKOUT_RETURN_IF_ERROR(CheckBool(t, Key::kFacebookDnsBlocking));
  BLACKOUT_RETURN_IF_ERROR(CheckBool(t, Key::kFacebookTcpBlocking));
  const Scalar& dns = t[Key::kFacebookDnsBlocking];
  const Scalar& tcp = t[Key::kFacebookTcpBlocking];
  if (dns.is_true()) return Make(Outcome::kBlocked, Method::kDns, Key::kFacebookDnsBlocking, dns);
  if (tcp.is_true()) return Make(Outcome::kBlocked, Method::kTcpIp, Key::kFacebookTcpBlocking, tcp);
  if (dns.is_false() && tcp.is_false()) {
    return Make(Outcome::kOk, Method::kNone, Key::kFacebookTcpBlocking, tcp);
  }
  return NoVerdict(t, Key::kFacebookTcpBlocking);
}

// ts-017 web_connectivity: "accessible" and "blocking" (tcp_ip | dns | http-diff | http-failure |
// false | null; before 0.1 of the spec's 2016 revision, null when accessible).
Result<Verdict> JudgeWebConnectivity(const TestKeys& t) {
  BLACKOUT_RETURN_IF_ERROR(CheckBool(t, Key::kAccessible));
  const Scalar& acc = t[Key::kAccessible];
  const Scalar& b = t[Key::kBlocking];
  if (acc.is_true()) return Make(Outcome::kOk, Method::kNone, Key::kAccessible, acc);
  if (b.kind == Scalar::Kind::kString) {
    std::string_view http_failure = t[Key::kHttpExperimentFailure].kind == Scalar::Kind::kString
                                        ? t[Key::kHttpExperimentFailure].text
                                        : std::string_view();
    Method m;
    if (b.text == "dns") {
      m = Method::kDns;
    } else if (b.text == "tcp_ip") {
      m = Method::kTcpIp;
    } else if (b.text == "http-diff") {
      m = Method::kHttp;
    } else if (b.text == "http-failure") {
      m = StartsWith(http_failure, "ssl_") ? Method::kTls : Method::kHttp;
    } else {
      return WrongType(Key::kBlocking, b, "tcp_ip, dns, http-diff, http-failure, false or null");
    }
    return Make(Outcome::kBlocked, m, Key::kBlocking, b, std::string(http_failure));
  }
  if (b.kind != Scalar::Kind::kBool && !b.null() && !b.absent()) {
    return WrongType(Key::kBlocking, b, "a string, false or null");
  }
  if (b.is_false()) {
    // Not blocked, not accessible: the site was down for the control too.
    return Make(Outcome::kFailed, Method::kNone, Key::kBlocking, b, "site down (accessible false)");
  }
  if (b.null() && acc.null()) {
    const Scalar& cf = t[Key::kControlFailure];
    const Scalar& hf = t[Key::kHttpExperimentFailure];
    std::string why = cf.kind == Scalar::Kind::kString   ? "control_failure " + std::string(cf.text)
                      : hf.kind == Scalar::Kind::kString ? std::string(hf.text)
                                                         : std::string();
    return Make(Outcome::kFailed, Method::kNone, Key::kBlocking, b, why);
  }
  return Make(Outcome::kUnknown, Method::kNone, Key::kBlocking, b);
}

// ts-023 tor: each target's "failure" (null = reached). Blocked when every target that reports
// one failed; targets without a "failure" key (early list layout) say nothing.
Verdict JudgeTor(const TestKeys& t) {
  Verdict v;
  v.field = "targets[].failure";
  if (t.targets_reached + t.targets_failed == 0) {
    v.outcome = Outcome::kUnknown;
    v.value = t.has_targets ? "absent" : "no targets";
    return v;
  }
  v.value = std::to_string(t.targets_failed) + " of " +
            std::to_string(t.targets_reached + t.targets_failed) + " failed";
  if (t.targets_reached == 0) {
    v.outcome = Outcome::kBlocked;
    v.method = MethodOfFailure(t.first_target_failure, Method::kUnspecified);
    v.detail = std::string(t.first_target_failure);
  } else {
    v.outcome = Outcome::kOk;
  }
  return v;
}

// ts-016 vanilla_tor, ts-030 torsf: "success" of the tor bootstrap; ts-015 psiphon: "failure".
Result<Verdict> JudgeBootstrap(const TestKeys& t, bool has_success) {
  BLACKOUT_RETURN_IF_ERROR(CheckBool(t, Key::kSuccess));
  BLACKOUT_RETURN_IF_ERROR(CheckString(t, Key::kFailure));
  const Scalar& s = t[Key::kSuccess];
  const Scalar& f = t[Key::kFailure];
  std::string why = f.kind == Scalar::Kind::kString ? std::string(f.text) : "";
  if (has_success) {
    if (s.is_true()) return Make(Outcome::kOk, Method::kNone, Key::kSuccess, s);
    if (s.is_false()) return Make(Outcome::kBlocked, Method::kUnspecified, Key::kSuccess, s, why);
    return Make(Outcome::kUnknown, Method::kNone, Key::kSuccess, s);
  }
  if (f.null()) return Make(Outcome::kOk, Method::kNone, Key::kFailure, f);
  if (f.kind == Scalar::Kind::kString) {
    return Make(Outcome::kBlocked, Method::kUnspecified, Key::kFailure, f, why);
  }
  return Make(Outcome::kUnknown, Method::kNone, Key::kFailure, f);
}

// ts-026 riseupvpn: "api_status" (ok | blocked) with "api_failure".
Result<Verdict> JudgeRiseupVpn(const TestKeys& t) {
  BLACKOUT_RETURN_IF_ERROR(CheckString(t, Key::kApiStatus));
  if (auto v = StatusField(t, Key::kApiStatus, Key::kApiFailure, Method::kUnspecified)) return *v;
  const Scalar& s = t[Key::kApiStatus];
  if (s.is("ok")) return Make(Outcome::kOk, Method::kNone, Key::kApiStatus, s);
  return NoVerdict(t, Key::kApiStatus);
}

}  // namespace

std::string Scalar::Json() const {
  switch (kind) {
    case Kind::kAbsent:
      return "absent";
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return b ? "true" : "false";
    case Kind::kNumber: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", number);
      return buf;
    }
    case Kind::kString: {
      std::string out = "\"";
      for (char c : text.substr(0, 200)) {
        if (c == '"' || c == '\\') out += '\\';
        out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
      }
      if (text.size() > 200) out += "...";
      return out + "\"";
    }
    case Kind::kOther:
      return "an object or array";
  }
  return "?";
}

std::string_view KeyName(Key k) { return kKeyNames[static_cast<size_t>(k)]; }

bool LookupKey(std::string_view name, Key* key) {
  // Old facebook_messenger (<= 0.3.0) wrote dashes.
  if (name == "facebook-tcp-blocking") name = "facebook_tcp_blocking";
  if (name == "facebook-dns-blocking") name = "facebook_dns_blocking";
  for (size_t i = 0; i < kKeyNames.size(); ++i) {
    if (kKeyNames[i] == name) {
      *key = static_cast<Key>(i);
      return true;
    }
  }
  return false;
}

Method MethodOfFailure(std::string_view f, Method fallback) {
  if (f.empty()) return fallback;
  if (StartsWith(f, "dns_") || StartsWith(f, "android_dns_")) return Method::kDns;
  if (StartsWith(f, "ssl_") || StartsWith(f, "tls_")) return Method::kTls;
  if (f == "connection_refused" || f == "connection_reset" || f == "connect_error" ||
      f == "host_unreachable" || f == "network_unreachable" || f == "generic_timeout_error") {
    return Method::kTcpIp;
  }
  if (StartsWith(f, "http_")) return Method::kHttp;
  return fallback;
}

Result<Verdict> Judge(std::string_view test, std::string_view version, UnixSeconds start,
                      const TestKeys& keys) {
  if (test == "telegram") return JudgeTelegram(keys);
  if (test == "signal") return JudgeSignal(keys, version, start);
  if (test == "whatsapp") return JudgeWhatsapp(keys);
  if (test == "facebook_messenger") return JudgeFacebook(keys);
  if (test == "web_connectivity") return JudgeWebConnectivity(keys);
  if (test == "tor") return JudgeTor(keys);
  if (test == "vanilla_tor" || test == "torsf") return JudgeBootstrap(keys, true);
  if (test == "psiphon") return JudgeBootstrap(keys, false);
  if (test == "riseupvpn") return JudgeRiseupVpn(keys);
  return DataLoss("unknown test '" + std::string(test.substr(0, 64)) + "'");
}

}  // namespace blackout::ooni
