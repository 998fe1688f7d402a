// Decodes one OONI measurement from JSON (simdjson's On-Demand parser, Debian's libsimdjson-dev:
// only the fields the verdict needs are read; the large arrays of network events, queries and
// requests are skipped without being materialised). Accepts a raw measurement as the probes
// upload it (data format df-000-base, data_format_version 0.2.0 and the older 0.3.x of early
// probe-engine) and the OONI API's measurement_meta answer, whose "raw_measurement" is the raw
// measurement as a JSON string. Thread-safety: a Decoder is used by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "blackout/base/status.h"
#include "blackout/ooni/measurement.h"

namespace blackout::ooni {

// simdjson reads up to this many bytes past a document's end: a caller that can guarantee them
// (DecodePadded) avoids a copy.
inline constexpr size_t kJsonPadding = 64;
// A measurement larger than this is refused (kDataLoss) rather than parsed.
inline constexpr size_t kMaxMeasurementBytes = 32u << 20;

class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes `json` into `out` (every field of `out` is overwritten). Errors (kDataLoss): not
  // JSON or truncated; not an object; a field of the wrong type; probe_cc, probe_asn,
  // measurement_start_time or test_name missing or malformed; a test no rule knows (message
  // "unknown test 'ndt'"); a measurement over kMaxMeasurementBytes.
  Status Decode(std::string_view json, Measurement* out);
  // The same without a copy. REQUIRES: kJsonPadding readable bytes after json's end.
  Status DecodePadded(std::string_view json, Measurement* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "2022-01-04 10:00:00" (OONI's measurement_start_time, UTC) -> Unix seconds; ISO 8601 with a 'T'
// and a trailing 'Z' too. Errors: kDataLoss.
Result<UnixSeconds> ParseOoniTime(std::string_view text);

}  // namespace blackout::ooni
