#include "blackout/probe/fake_network.h"

namespace blackout::probe {

Status FakeNetwork::Send(std::span<const Echo> requests) {
  int64_t now = clock_.Now();
  for (const Echo& e : requests) {
    ++counters_.sent;
    if (record_) {
      sent_.push_back(e);
      sent_times_.push_back(now);
    }
    FakeResponse r = responder_(e.addr, now);
    if (r.reply) queue_.push({now + r.delay_ns, order_++, e});
  }
  return Status::Ok();
}

void FakeNetwork::Inject(const Echo& reply, int64_t at_ns) {
  queue_.push({at_ns, order_++, reply});
}

Status FakeNetwork::Receive(int64_t deadline_ns, std::vector<Echo>& out) {
  if (queue_.empty() || queue_.top().at > deadline_ns) {
    clock_.AdvanceTo(deadline_ns);
    return Status::Ok();
  }
  clock_.AdvanceTo(queue_.top().at);
  int64_t now = clock_.Now();
  while (!queue_.empty() && queue_.top().at <= now) {
    out.push_back(queue_.top().echo);
    queue_.pop();
    ++counters_.received;
  }
  return Status::Ok();
}

}  // namespace blackout::probe
