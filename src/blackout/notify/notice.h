// Notices: what a subscriber is told about an event, one per change: its start, each phase
// change after the first (near-total blackout, partial recovery, total recovery, no data), and
// its end; for application blocking (OONI, signals {"app-blocking"}) the end reads "now
// unblocked". The per-entity feeds (server/routes_feeds.cc) and the webhooks (notifier.h) list
// the same notices, so a feed reader and a webhook receiver see the same changes with the same
// ids. Ids are stable: EVENT_ID/start@T, EVENT_ID/phase/NAME@T, EVENT_ID/end@T (an event that ends,
// reopens and ends again has two end notices). Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "blackout/base/time.h"
#include "blackout/store/types.h"

namespace blackout::notify {

enum class NoticeKind : uint8_t { kStart, kPhase, kEnd, kUnblocked };
// "start", "phase", "end", "unblocked"
std::string_view NoticeKindName(NoticeKind k);
bool ParseNoticeKind(std::string_view name, NoticeKind* out);

struct Notice {
  std::string id;
  NoticeKind kind = NoticeKind::kStart;
  UnixSeconds time = 0;
  std::string phase;                    // kPhase: the phase entered ("partial-recovery", ...)
  const store::Event* event = nullptr;  // borrowed: lives as long as the events it came from
};

// The notices of one event, in time order.
std::vector<Notice> NoticesOf(const store::Event& e);
// Of many events, in time order (then id).
std::vector<Notice> NoticesOf(const std::vector<store::Event>& events);

// Whether an event is application blocking (OONI) rather than a connectivity disruption.
bool IsAppBlocking(const store::Event& e);

// "Internet disruption began", "partial recovery", "total recovery", "Internet disruption ended",
// "application blocking found", "now unblocked": what changed, in words.
std::string NoticeWhat(const Notice& n);

}  // namespace blackout::notify
