#include "blackout/ooni/measurement.h"

namespace blackout::ooni {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kBlocked:
      return "blocked";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kNone:
      return "";
    case Method::kDns:
      return "DNS";
    case Method::kTcpIp:
      return "TCP/IP";
    case Method::kTls:
      return "TLS";
    case Method::kHttp:
      return "HTTP";
    case Method::kUnspecified:
      return "unspecified";
  }
  return "";
}

std::string_view AppOfTest(std::string_view t) {
  if (t == "telegram" || t == "signal" || t == "whatsapp" || t == "psiphon" || t == "riseupvpn") {
    return t;
  }
  if (t == "facebook_messenger") return "facebook-messenger";
  if (t == "web_connectivity") return "web";
  if (t == "tor" || t == "vanilla_tor") return "tor";
  if (t == "torsf") return "tor-snowflake";
  return "";
}

}  // namespace blackout::ooni
