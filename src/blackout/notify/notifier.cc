#include "blackout/notify/notifier.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "blackout/base/log.h"
#include "blackout/store/store.h"

namespace blackout::notify {
namespace {

using json = nlohmann::json;

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[p[i] >> 4]);
    out.push_back(kHex[p[i] & 15]);
  }
  return out;
}

std::string DeliveryJson(const Delivery& d) {
  return json{{"key", d.key},
              {"subscription", d.subscription},
              {"url", d.url},
              {"notice", d.notice},
              {"body", d.body},
              {"attempts", d.attempts},
              {"nextMs", d.next_ms},
              {"createdMs", d.created_ms},
              {"outcome", d.outcome},
              {"lastStatus", d.last_status},
              {"lastError", d.last_error}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool DeliveryFromJson(std::string_view text, Delivery* d) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  try {
    d->key = j.at("key").get<std::string>();
    d->subscription = j.at("subscription").get<std::string>();
    d->url = j.at("url").get<std::string>();
    d->notice = j.at("notice").get<std::string>();
    d->body = j.at("body").get<std::string>();
    d->attempts = j.value("attempts", 0);
    d->next_ms = j.value("nextMs", int64_t{0});
    d->created_ms = j.value("createdMs", int64_t{0});
    d->outcome = j.value("outcome", "pending");
    d->last_status = j.value("lastStatus", 0);
    d->last_error = j.value("lastError", "");
  } catch (const json::exception&) {
    return false;
  }
  return true;
}

// Keeps at most 1 KiB of a receiver's answer (unused but for debugging); reads and drops the rest.
size_t Discard(char* data, size_t size, size_t n, void* userdata) {
  auto* out = static_cast<std::string*>(userdata);
  if (out->size() < 1024) out->append(data, std::min(size * n, 1024 - out->size()));
  return size * n;
}

int AbortIfStopping(void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0;
}

}  // namespace

std::string SignatureHeader(std::string_view secret, int64_t t, std::string_view body) {
  const std::string message = std::to_string(t) + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  return "t=" + std::to_string(t) + ",v1=" + Hex(mac, len);
}

Notifier::Notifier(store::Store& store, NotifierOptions options)
    : store_(store), options_(std::move(options)) {
  options_.max_connections = std::clamp(options_.max_connections, 1, 64);
  options_.max_attempts = std::max(options_.max_attempts, 1);
}

Notifier::~Notifier() { Stop(); }

int64_t Notifier::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Notifier::Start() {
  if (started_) return Status::Ok();
  curl_global_init(CURL_GLOBAL_DEFAULT);
  BLACKOUT_ASSIGN_OR_RETURN(auto seen, store_.ListRecords(kSeenKind));
  for (const store::Record& r : seen) seen_.insert(r.key);
  BLACKOUT_ASSIGN_OR_RETURN(auto logged, store_.ListRecords(kLogKind));
  if (options_.log_retention_days > 0) {
    const int64_t cutoff = NowMs() / 1000 - int64_t{86400} * options_.log_retention_days;
    std::vector<std::string> old;
    std::erase_if(logged, [&](const store::Record& r) {
      if (r.time >= cutoff) return false;
      old.push_back(r.key);
      return true;
    });
    if (!old.empty()) {
      BLACKOUT_RETURN_IF_ERROR(store_.DeleteRecords(kLogKind, old));
      log::Info("webhooks: ", old.size(), " delivery log entries older than ",
                options_.log_retention_days, " days removed");
    }
  }
  BLACKOUT_ASSIGN_OR_RETURN(auto queued, store_.ListRecords(kQueueKind));
  BLACKOUT_ASSIGN_OR_RETURN(auto subs, ListSubscriptions(store_));
  {
    std::lock_guard lock(mu_);
    for (const store::Record& r : logged) known_.insert(r.key);
    for (const store::Record& r : queued) {
      Delivery d;
      if (!DeliveryFromJson(r.value, &d)) continue;
      known_.insert(d.key);
      queue_.push_back(std::move(d));
    }
    for (const Subscription& s : subs) secrets_[s.id] = s.secret;
    stats_.pending = queue_.size();
    stop_ = false;
  }
  abort_ = false;
  if (!queue_.empty()) log::Info("webhooks: ", queue_.size(), " deliveries pending from before");
  for (int i = 0; i < options_.max_connections; ++i) threads_.emplace_back([this] { Worker(); });
  started_ = true;
  return Status::Ok();
}

void Notifier::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  abort_ = true;
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  started_ = false;
}

NotifierStats Notifier::Stats() const {
  std::lock_guard lock(mu_);
  NotifierStats s = stats_;
  s.pending = queue_.size() + in_flight_.size();
  return s;
}

bool Notifier::WaitIdle(int64_t timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, until, [&] { return queue_.empty() && in_flight_.empty(); });
}

std::string Notifier::Payload(const Subscription& s, const Notice& n) const {
  const store::Event& e = *n.event;
  json phases = json::array();
  for (const store::EventPhase& p : e.phases) {
    phases.push_back({{"phase", store::PhaseName(p.phase)},
                      {"start", p.start},
                      {"end", p.end ? json(*p.end) : json(nullptr)},
                      {"depth", std::isfinite(p.depth) ? json(p.depth) : json(nullptr)}});
  }
  const std::string window = "from=" + std::to_string(e.start - 86400) +
                             "&until=" + std::to_string(e.end.value_or(e.start) + 86400);
  json links = json::object();
  if (!options_.base_url.empty()) {
    links["entity"] = options_.base_url + "/?entity=" + e.entity + "&" + window;
    links["report"] = options_.base_url + "/api/v2/reports/" + e.entity + "?" + window;
  }
  json body = {
      {"id", s.id + "/" + n.id},
      {"subscription", s.id},
      {"notice",
       {{"id", n.id}, {"kind", NoticeKindName(n.kind)}, {"what", NoticeWhat(n)}, {"time", n.time}}},
      {"event",
       {{"id", e.EffectiveId()},
        {"entity", e.entity},
        {"start", e.start},
        {"end", e.end ? json(*e.end) : json(nullptr)},
        {"depth", std::isfinite(e.depth) ? json(e.depth) : json(nullptr)},
        {"score", e.score},
        {"signals", e.signals},
        {"technique", store::TechniqueName(e.technique)},
        {"phases", phases},
        {"related", e.related}}},
      {"links", links}};
  if (n.kind == NoticeKind::kPhase) body["notice"]["phase"] = n.phase;
  // What it was measured from; simulated data are marked wherever they go.
  EventProvenance where;
  if (options_.provenance) {
    where = options_.provenance(e);
  } else {
    where.attribution = "provenance unknown";
  }
  body["provenance"] = {{"simulation", where.simulation}, {"attribution", where.attribution}};
  if (where.simulation) {
    body["notice"]["what"] = "SIMULATION: " + body["notice"]["what"].get<std::string>();
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<PassNotices> Notifier::OnPass(const std::vector<store::Event>& events) {
  PassNotices out;
  BLACKOUT_ASSIGN_OR_RETURN(auto subs, ListSubscriptions(store_));
  {
    std::lock_guard lock(mu_);
    secrets_.clear();
    for (const Subscription& s : subs) secrets_[s.id] = s.secret;
  }
  const SubscriptionIndex index(std::move(subs), options_.parents);
  const int64_t now = NowMs();
  std::vector<store::Record> writes;
  std::vector<Delivery> queued;
  std::vector<std::string> fresh;
  std::vector<uint32_t> matched;
  for (const Notice& n : NoticesOf(events)) {
    if (seen_.count(n.id)) continue;
    fresh.push_back(n.id);
    writes.push_back(store::Record{std::string(kSeenKind), n.id, n.time, ""});
    index.Match(n, &matched);
    for (uint32_t i : matched) {
      const Subscription& s = index.subs()[i];
      Delivery d;
      d.key = s.id + "/" + n.id;
      {
        std::lock_guard lock(mu_);
        if (known_.count(d.key)) continue;
      }
      d.subscription = s.id;
      d.url = s.url;
      d.notice = n.id;
      d.body = Payload(s, n);
      d.next_ms = now;
      d.created_ms = now;
      d.outcome = "pending";
      writes.push_back(store::Record{std::string(kQueueKind), d.key, now / 1000, DeliveryJson(d)});
      queued.push_back(std::move(d));
    }
  }
  if (writes.empty()) return out;
  // Queue and seen marks in one write (one transaction on SQLite).
  BLACKOUT_RETURN_IF_ERROR(store_.PutRecords(writes));
  for (std::string& id : fresh) seen_.insert(std::move(id));
  out.notices = fresh.size();
  out.deliveries = queued.size();
  {
    std::lock_guard lock(mu_);
    for (Delivery& d : queued) {
      known_.insert(d.key);
      queue_.push_back(std::move(d));
    }
    stats_.queued += out.deliveries;
  }
  cv_.notify_all();
  return out;
}

void Notifier::Worker() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const int64_t now = NowMs();
    auto due = std::min_element(queue_.begin(), queue_.end(),
                                [](const auto& a, const auto& b) { return a.next_ms < b.next_ms; });
    if (due == queue_.end()) {
      cv_.wait(lock);
      continue;
    }
    if (due->next_ms > now) {
      cv_.wait_for(lock, std::chrono::milliseconds(std::min<int64_t>(due->next_ms - now, 1000)));
      continue;
    }
    Delivery d = std::move(*due);
    queue_.erase(due);
    in_flight_.insert(d.key);
    lock.unlock();
    Attempt(std::move(d));
    lock.lock();
  }
}

void Notifier::Attempt(Delivery d) {
  std::string secret;
  {
    std::lock_guard lock(mu_);
    auto it = secrets_.find(d.subscription);
    if (it != secrets_.end()) secret = it->second;
  }
  ++d.attempts;
  bool ok = false;
  if (secret.empty()) {
    d.last_status = 0;
    d.last_error = "subscription removed";
    d.attempts = options_.max_attempts;  // nobody to deliver to: give up now
  } else {
    CURL* curl = curl_easy_init();
    struct curl_slist* headers = nullptr;
    const int64_t t = NowMs() / 1000;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, ("X-Blackout-Delivery: " + d.key).c_str());
    headers = curl_slist_append(
        headers, ("X-Blackout-Signature: " + SignatureHeader(secret, t, d.body)).c_str());
    std::string answer;
    curl_easy_setopt(curl, CURLOPT_URL, d.url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(d.body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "blackout-webhooks");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, AbortIfStopping);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &abort_);
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    d.last_status = static_cast<int>(status);
    if (rc != CURLE_OK) {
      d.last_error = curl_easy_strerror(rc);
    } else if (status < 200 || status > 299) {
      d.last_error = "HTTP " + std::to_string(status);
    } else {
      d.last_error.clear();
      ok = true;
    }
  }
  if (!ok && abort_) {
    --d.attempts;  // cut short by Stop(): not the receiver's failure; due again after a restart
    d.next_ms = NowMs();
  } else if (ok) {
    d.outcome = "delivered";
  } else if (d.attempts >= options_.max_attempts) {
    d.outcome = "failed";
  } else {
    const int shift = std::min(d.attempts - 1, 40);
    const int64_t delay = std::min(options_.backoff_initial_ms << shift, options_.backoff_max_ms);
    d.next_ms = NowMs() + delay;
  }
  // The URL may carry a token in its query: the log names the subscription, never the URL.
  if (!ok) log::Debug("webhooks: ", d.key, " attempt ", d.attempts, ": ", d.last_error);
  Status st = Record(d);
  if (!st.ok()) log::Warn("webhooks: recording ", d.key, ": ", st.ToString());
  {
    std::lock_guard lock(mu_);
    in_flight_.erase(d.key);
    ++stats_.attempts;
    if (d.outcome == "delivered") ++stats_.delivered;
    if (d.outcome == "failed") ++stats_.failed;
    if (d.outcome == "pending") queue_.push_back(std::move(d));
  }
  cv_.notify_all();
}

Status Notifier::Record(const Delivery& d) {
  if (d.outcome == "pending") {
    store::Record r{std::string(kQueueKind), d.key, d.next_ms / 1000, DeliveryJson(d)};
    return store_.PutRecords(std::span<const store::Record>(&r, 1));
  }
  // Logged first, then dropped from the queue: a crash in between delivers it again at most.
  store::Record r{std::string(kLogKind), d.key, NowMs() / 1000, DeliveryJson(d)};
  BLACKOUT_RETURN_IF_ERROR(store_.PutRecords(std::span<const store::Record>(&r, 1)));
  std::vector<std::string> keys = {d.key};
  return store_.DeleteRecords(kQueueKind, keys);
}

}  // namespace blackout::notify
