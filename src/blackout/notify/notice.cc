#include "blackout/notify/notice.h"

#include <algorithm>

namespace blackout::notify {

std::string_view NoticeKindName(NoticeKind k) {
  switch (k) {
    case NoticeKind::kStart:
      return "start";
    case NoticeKind::kPhase:
      return "phase";
    case NoticeKind::kEnd:
      return "end";
    case NoticeKind::kUnblocked:
      return "unblocked";
  }
  return "?";
}

bool ParseNoticeKind(std::string_view name, NoticeKind* out) {
  for (NoticeKind k :
       {NoticeKind::kStart, NoticeKind::kPhase, NoticeKind::kEnd, NoticeKind::kUnblocked}) {
    if (name == NoticeKindName(k)) {
      *out = k;
      return true;
    }
  }
  return false;
}

bool IsAppBlocking(const store::Event& e) {
  return std::find(e.signals.begin(), e.signals.end(), "app-blocking") != e.signals.end();
}

std::vector<Notice> NoticesOf(const store::Event& e) {
  const std::string id = e.EffectiveId();
  std::vector<Notice> out;
  out.push_back(
      Notice{id + "/start@" + std::to_string(e.start), NoticeKind::kStart, e.start, "", &e});
  for (size_t i = 1; i < e.phases.size(); ++i) {
    const store::EventPhase& p = e.phases[i];
    if (p.phase == e.phases[i - 1].phase) continue;
    const std::string name(store::PhaseName(p.phase));
    out.push_back(Notice{id + "/phase/" + name + "@" + std::to_string(p.start), NoticeKind::kPhase,
                         p.start, name, &e});
  }
  if (e.end) {
    const NoticeKind k = IsAppBlocking(e) ? NoticeKind::kUnblocked : NoticeKind::kEnd;
    out.push_back(Notice{id + "/" + std::string(NoticeKindName(k)) + "@" + std::to_string(*e.end),
                         k, *e.end, "", &e});
  }
  return out;
}

std::vector<Notice> NoticesOf(const std::vector<store::Event>& events) {
  std::vector<Notice> out;
  for (const store::Event& e : events) {
    for (Notice& n : NoticesOf(e)) out.push_back(std::move(n));
  }
  std::stable_sort(out.begin(), out.end(), [](const Notice& a, const Notice& b) {
    return a.time != b.time ? a.time < b.time : a.id < b.id;
  });
  return out;
}

std::string NoticeWhat(const Notice& n) {
  const bool app = n.event && IsAppBlocking(*n.event);
  switch (n.kind) {
    case NoticeKind::kStart:
      return app ? "application blocking found" : "Internet disruption began";
    case NoticeKind::kEnd:
      return "Internet disruption ended";
    case NoticeKind::kUnblocked:
      return "now unblocked";
    case NoticeKind::kPhase: {
      std::string words = n.phase;
      std::replace(words.begin(), words.end(), '-', ' ');
      return words;
    }
  }
  return "";
}

}  // namespace blackout::notify
