#include "blackout/ooni/decode.h"

#include <simdjson.h>

#include <cctype>
#include <cstring>
#include <string>

#include "blackout/ooni/verdict.h"

namespace blackout::ooni {

namespace od = simdjson::ondemand;
static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING, "simdjson needs this much padding");

namespace {

Status JsonError(simdjson::error_code e, std::string_view where) {
  return DataLoss(std::string("JSON error at ") + std::string(where) + ": " +
                  simdjson::error_message(e));
}

// Reads a scalar; objects and arrays become kOther (and are skipped by the iterator).
simdjson::error_code ReadScalar(od::value v, Scalar* out) {
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  switch (type) {
    case od::json_type::null:
      out->kind = Scalar::Kind::kNull;
      // Consume the literal so a truncated "nul" is noticed.
      {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return e;
        if (!is_null) return simdjson::INCORRECT_TYPE;
      }
      return simdjson::SUCCESS;
    case od::json_type::boolean:
      out->kind = Scalar::Kind::kBool;
      return v.get_bool().get(out->b);
    case od::json_type::string:
      out->kind = Scalar::Kind::kString;
      return v.get_string().get(out->text);
    case od::json_type::number:
      out->kind = Scalar::Kind::kNumber;
      return v.get_double().get(out->number);
    default:
      out->kind = Scalar::Kind::kOther;
      return simdjson::SUCCESS;
  }
}

// One tor target object: only its "failure".
simdjson::error_code ReadTarget(od::value target, TestKeys* keys) {
  od::object obj;
  if (target.get_object().get(obj)) return simdjson::SUCCESS;  // not an object: not counted
  ++keys->targets;
  for (auto field : obj) {
    std::string_view name;
    if (auto e = field.unescaped_key().get(name)) return e;
    if (name != "failure") continue;
    Scalar s;
    if (auto e = ReadScalar(field.value(), &s)) return e;
    if (s.null()) {
      ++keys->targets_reached;
    } else if (s.kind == Scalar::Kind::kString) {
      ++keys->targets_failed;
      if (keys->first_target_failure.empty()) keys->first_target_failure = s.text;
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code ReadTargets(od::value v, TestKeys* keys) {
  keys->has_targets = true;
  od::json_type type;
  if (auto e = v.type().get(type)) return e;
  if (type == od::json_type::object) {
    od::object obj;
    if (auto e = v.get_object().get(obj)) return e;
    for (auto field : obj) {
      od::value t;
      if (auto e = field.value().get(t)) return e;
      if (auto e = ReadTarget(t, keys)) return e;
    }
  } else if (type == od::json_type::array) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return e;
    for (auto element : arr) {
      od::value t;
      if (auto e = element.get(t)) return e;
      if (auto e = ReadTarget(t, keys)) return e;
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code ReadTestKeys(od::value v, TestKeys* keys) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return e;
  for (auto field : obj) {
    std::string_view name;
    if (auto e = field.unescaped_key().get(name)) return e;
    Key k;
    if (LookupKey(name, &k)) {
      if (auto e = ReadScalar(field.value(), &(*keys)[k])) return e;
    } else if (name == "targets") {
      if (auto e = ReadTargets(field.value(), keys)) return e;
    }
  }
  return simdjson::SUCCESS;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Num(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

}  // namespace

Result<UnixSeconds> ParseOoniTime(std::string_view t) {
  if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);
  bool ok = t.size() == 19 && t[4] == '-' && t[7] == '-' && (t[10] == ' ' || t[10] == 'T') &&
            t[13] == ':' && t[16] == ':';
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    ok = ok && t[i] >= '0' && t[i] <= '9';
  }
  if (!ok) return DataLoss("bad time '" + std::string(t.substr(0, 40)) + "'");
  int mo = Num(t, 5, 2), d = Num(t, 8, 2), h = Num(t, 11, 2), mi = Num(t, 14, 2), s = Num(t, 17, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return DataLoss("bad time '" + std::string(t) + "'");
  }
  int64_t days = DaysFromCivil(Num(t, 0, 4), static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + s;
}

struct Decoder::Impl {
  od::parser parser;
  std::string padded;  // a copy with padding, for Decode and raw_measurement strings
  std::string inner;   // raw_measurement, unescaped

  // The top level: fields in any order. Fills `m` and `keys`; strings are copied into `m`.
  Status Top(std::string_view json, size_t capacity, Measurement* m, int depth);
};

namespace {

struct TopFields {
  Scalar test_name, test_version, probe_cc, probe_asn, start, test_start, input, report_id;
};

Status CheckString(const Scalar& s, std::string_view name, bool allow_null) {
  if (s.kind == Scalar::Kind::kString || (allow_null && (s.null() || s.absent()))) {
    return Status::Ok();
  }
  return DataLoss(std::string(name) + " is " + s.Json() + ", want a string");
}

// Fills the measurement's identity from the top-level fields. Errors: kDataLoss.
Status Identity(const TopFields& f, Measurement* m) {
  BLACKOUT_RETURN_IF_ERROR(CheckString(f.test_name, "test_name", false));
  BLACKOUT_RETURN_IF_ERROR(CheckString(f.probe_cc, "probe_cc", false));
  BLACKOUT_RETURN_IF_ERROR(CheckString(f.test_version, "test_version", true));
  BLACKOUT_RETURN_IF_ERROR(CheckString(f.report_id, "report_id", true));
  if (f.test_name.text.empty() || f.test_name.text.size() > 64) {
    return DataLoss("test_name " + f.test_name.Json() + " is not a test name");
  }
  std::string_view cc = f.probe_cc.text;
  if (cc.size() != 2 || !std::isupper(static_cast<unsigned char>(cc[0])) ||
      !std::isupper(static_cast<unsigned char>(cc[1]))) {
    return DataLoss("probe_cc " + f.probe_cc.Json() + " is not a country code");
  }
  if (f.probe_asn.kind == Scalar::Kind::kString) {
    std::string_view a = f.probe_asn.text;
    if (a.substr(0, 2) == "AS") a.remove_prefix(2);
    if (!IsDigits(a) || a.size() > 10 || std::stoull(std::string(a)) > 0xffffffffULL) {
      return DataLoss("probe_asn " + f.probe_asn.Json() + " is not ASnnn");
    }
    m->probe_asn = static_cast<uint32_t>(std::stoull(std::string(a)));
  } else if (f.probe_asn.kind == Scalar::Kind::kNumber && f.probe_asn.number >= 0 &&
             f.probe_asn.number <= 4294967295.0) {
    m->probe_asn = static_cast<uint32_t>(f.probe_asn.number);
  } else {
    return DataLoss("probe_asn is " + f.probe_asn.Json() + ", want \"ASnnn\"");
  }
  const Scalar& t = f.start.kind == Scalar::Kind::kString ? f.start : f.test_start;
  if (t.kind != Scalar::Kind::kString) {
    return DataLoss("measurement_start_time is " + f.start.Json() + ", want a time");
  }
  BLACKOUT_ASSIGN_OR_RETURN(m->start, ParseOoniTime(t.text));
  m->test_name.assign(f.test_name.text);
  m->test_version.assign(f.test_version.kind == Scalar::Kind::kString ? f.test_version.text : "");
  m->probe_cc.assign(cc);
  m->report_id.assign(f.report_id.kind == Scalar::Kind::kString ? f.report_id.text : "");
  m->input.assign(f.input.kind == Scalar::Kind::kString ? f.input.text.substr(0, 2048) : "");
  m->app.assign(AppOfTest(m->test_name));
  return Status::Ok();
}

}  // namespace

Status Decoder::Impl::Top(std::string_view json, size_t capacity, Measurement* m, int depth) {
  if (json.size() > kMaxMeasurementBytes) {
    return DataLoss("measurement of " + std::to_string(json.size()) + " bytes is over the " +
                    std::to_string(kMaxMeasurementBytes >> 20) + " MiB limit");
  }
  od::document doc;
  if (auto e = parser.iterate(json.data(), json.size(), capacity).get(doc)) {
    return JsonError(e, "start");
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return JsonError(e, "top level (want an object)");
  TopFields f;
  TestKeys keys;
  bool have_keys = false;
  for (auto field : obj) {
    std::string_view name;
    if (auto e = field.unescaped_key().get(name)) return JsonError(e, "a key");
    Scalar* s = nullptr;
    if (name == "test_keys") {
      have_keys = true;
      if (auto e = ReadTestKeys(field.value(), &keys)) return JsonError(e, "test_keys");
      continue;
    }
    if (name == "raw_measurement" && depth == 0) {
      // The API's measurement_meta answer: the measurement is a string inside.
      std::string_view raw;
      if (auto e = field.value().get_string().get(raw)) return JsonError(e, "raw_measurement");
      inner.assign(raw);
      inner.append(kJsonPadding, ' ');
      std::string local = std::move(inner);
      Status st = Top(std::string_view(local.data(), raw.size()), local.size(), m, depth + 1);
      if (!st.ok()) return DataLoss("raw_measurement: " + st.message());
      return st;
    }
    if (name == "test_name")
      s = &f.test_name;
    else if (name == "test_version")
      s = &f.test_version;
    else if (name == "probe_cc")
      s = &f.probe_cc;
    else if (name == "probe_asn")
      s = &f.probe_asn;
    else if (name == "measurement_start_time")
      s = &f.start;
    else if (name == "test_start_time")
      s = &f.test_start;
    else if (name == "input")
      s = &f.input;
    else if (name == "report_id")
      s = &f.report_id;
    if (s != nullptr) {
      if (auto e = ReadScalar(field.value(), s)) return JsonError(e, name);
    }
  }
  if (!have_keys) return DataLoss("no test_keys");
  BLACKOUT_RETURN_IF_ERROR(Identity(f, m));
  BLACKOUT_ASSIGN_OR_RETURN(m->verdict, Judge(m->test_name, m->test_version, m->start, keys));
  return Status::Ok();
}

Decoder::Decoder() : impl_(std::make_unique<Impl>()) {}
Decoder::~Decoder() = default;

Status Decoder::Decode(std::string_view json, Measurement* out) {
  impl_->padded.assign(json);
  impl_->padded.append(kJsonPadding, ' ');
  std::string local = std::move(impl_->padded);
  Status st = impl_->Top(std::string_view(local.data(), json.size()), local.size(), out, 0);
  impl_->padded = std::move(local);
  return st;
}

Status Decoder::DecodePadded(std::string_view json, Measurement* out) {
  return impl_->Top(json, json.size() + kJsonPadding, out, 0);
}

}  // namespace blackout::ooni
