#include "blackout/probe/records.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "blackout/base/ip.h"
#include "blackout/store/types.h"

namespace blackout::probe {

Status ValidateVantage(std::string_view v) {
  if (v.empty() || v.size() > 64) return InvalidArgument("vantage name must be 1-64 characters");
  for (char c : v) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok)
      return InvalidArgument("vantage name may only hold [A-Za-z0-9._-]: '" + std::string(v) + "'");
  }
  return Status::Ok();
}

std::string FormatRound(const RoundReport& r, std::string_view vantage) {
  std::string out;
  const UnixSeconds round = r.start_ns / kNanosPerSecond;
  const std::string head = std::to_string(round) + "\t" + std::string(vantage) + "\t";
  std::vector<const StateChange*> changes;
  changes.reserve(r.changes.size());
  for (const StateChange& c : r.changes) changes.push_back(&c);
  std::stable_sort(changes.begin(), changes.end(), [](const StateChange* a, const StateChange* b) {
    int64_t sa = a->at_ns / kNanosPerSecond, sb = b->at_ns / kNanosPerSecond;
    return sa != sb ? sa < sb : a->base < b->base;
  });
  char buf[64];
  for (const StateChange* c : changes) {
    out += "STATE\t";
    out += head;
    AppendBlock(out, c->base);
    out += '\t';
    out += BlockStateName(c->from);
    out += '\t';
    out += BlockStateName(c->to);
    std::snprintf(buf, sizeof buf, "\t%.4f\t%lld\n", c->belief,
                  static_cast<long long>(c->at_ns / kNanosPerSecond));
    out += buf;
  }
  for (const EntityCount& c : r.counts) {
    out += "COUNT\t" + head + c.entity + "\t" + std::to_string(c.up) + "\t" +
           std::to_string(c.eligible) + "\n";
  }
  out += "ROUND\t" + head + std::to_string(r.index) + "\t" +
         std::to_string(r.round_ns / kNanosPerSecond) + "\t" + std::to_string(r.eligible) + "\t" +
         std::to_string(r.up) + "\t" + std::to_string(r.down) + "\t" + std::to_string(r.uncertain) +
         "\t" + std::to_string(r.sent) + "\t" + std::to_string(r.matched) + "\n";
  return out;
}

namespace {

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> f;
  size_t pos = 0;
  for (;;) {
    size_t t = line.find('\t', pos);
    f.push_back(line.substr(pos, t == std::string_view::npos ? std::string_view::npos : t - pos));
    if (t == std::string_view::npos) break;
    pos = t + 1;
  }
  return f;
}

template <typename T>
bool Num(std::string_view s, T* v) {
  if (s.empty() || s[0] == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

bool State(std::string_view s, BlockState* st) {
  if (s == "UP")
    *st = BlockState::kUp;
  else if (s == "DOWN")
    *st = BlockState::kDown;
  else if (s == "UNCERTAIN")
    *st = BlockState::kUncertain;
  else
    return false;
  return true;
}

bool Block(std::string_view s, uint32_t* base) {
  if (s.size() < 4 || s.substr(s.size() - 3) != "/24") return false;
  auto a = IpAddress::Parse(s.substr(0, s.size() - 3));
  if (!a.ok() || !a->is_v4() || (a->v4() & 255) != 0) return false;
  *base = a->v4();
  return true;
}

bool Belief(std::string_view s, double* b) {
  // Exactly 4 decimals: d.dddd
  if (s.size() != 6 || s[1] != '.') return false;
  if (!Num(s, b)) return false;
  return *b >= 0.01 - 1e-9 && *b <= 0.99 + 1e-9;
}

// The lines of a probe file (records, block list): every line ends with '\n', the first is the
// format's header, '#' starts a comment. Next gives the data lines in turn; at the end it returns
// false, with `*problem` set when the file is damaged (line_no() says where).
class ProbeLines {
 public:
  ProbeLines(std::string_view text, std::string_view header) : text_(text), header_(header) {}
  bool Next(std::string_view* line, std::string* problem) {
    while (!text_.empty()) {
      const size_t nl = text_.find('\n');
      if (nl == std::string_view::npos) {
        *problem = "last line has no newline";
        return false;
      }
      *line = text_.substr(0, nl);
      text_.remove_prefix(nl + 1);
      ++line_no_;
      if (line_no_ == 1) {
        if (*line != header_) {
          *problem = "first line must be '" + std::string(header_) + "'";
          return false;
        }
        continue;
      }
      if (!line->empty() && (*line)[0] == '#') continue;
      return true;
    }
    if (line_no_ == 0) *problem = "empty (no header)";
    return false;
  }
  uint64_t line_no() const { return line_no_; }

 private:
  std::string_view text_, header_;
  uint64_t line_no_ = 0;
};

}  // namespace

Result<Records> ParseRecords(std::string_view text, std::string_view name) {
  Records all;
  Records open;  // records of the round not closed yet
  ProbeLines lines(text, kRecordsHeader);
  auto fail = [&](std::string what) {
    return Status(StatusCode::kDataLoss, "probe records: " + what,
                  {.file = std::string(name), .line = lines.line_no()});
  };
  std::string_view line;
  std::string problem;
  while (lines.Next(&line, &problem)) {
    auto f = SplitTabs(line);
    if (f.size() < 3) return fail("too few fields");
    UnixSeconds round;
    if (!Num(f[1], &round)) return fail("bad round time");
    if (!ValidateVantage(f[2]).ok()) return fail("bad vantage name");
    if (f[0] == "STATE") {
      if (f.size() != 8) return fail("STATE needs 8 fields");
      StateRecord s{round, std::string(f[2])};
      if (!Block(f[3], &s.base)) return fail("bad block");
      if (!State(f[4], &s.from) || !State(f[5], &s.to)) return fail("bad state");
      if (!Belief(f[6], &s.belief)) return fail("bad belief");
      if (!Num(f[7], &s.at)) return fail("bad time");
      open.states.push_back(std::move(s));
    } else if (f[0] == "COUNT") {
      if (f.size() != 6) return fail("COUNT needs 6 fields");
      CountRecord c{round, std::string(f[2]), std::string(f[3])};
      if (Status s = store::ValidateEntity(f[3]); !s.ok()) return fail(s.message());
      if (!Num(f[4], &c.up) || !Num(f[5], &c.eligible) || c.up > c.eligible)
        return fail("bad count");
      open.counts.push_back(std::move(c));
    } else if (f[0] == "ROUND") {
      if (f.size() != 11) return fail("ROUND needs 11 fields");
      RoundRecord r{round, std::string(f[2])};
      uint64_t* v[] = {&r.index, &r.seconds,   &r.eligible, &r.up,
                       &r.down,  &r.uncertain, &r.sent,     &r.matched};
      for (int i = 0; i < 8; ++i) {
        if (!Num(f[3 + i], v[i])) return fail("bad number");
      }
      if (r.up + r.down + r.uncertain != r.eligible)
        return fail("up + down + uncertain != eligible");
      for (auto& s : open.states) {
        if (s.round != round || s.vantage != r.vantage)
          return fail("STATE of another round before ROUND");
      }
      for (auto& c : open.counts) {
        if (c.round != round || c.vantage != r.vantage)
          return fail("COUNT of another round before ROUND");
      }
      all.states.insert(all.states.end(), std::make_move_iterator(open.states.begin()),
                        std::make_move_iterator(open.states.end()));
      all.counts.insert(all.counts.end(), std::make_move_iterator(open.counts.begin()),
                        std::make_move_iterator(open.counts.end()));
      all.rounds.push_back(std::move(r));
      open = {};
    } else {
      return fail("unknown record type");
    }
  }
  if (!problem.empty()) return fail(problem);
  return all;
}

BlockList MakeBlockList(std::string_view vantage, std::span<const uint32_t> bases,
                        std::span<const uint32_t> group,
                        const std::vector<std::vector<std::string>>& groups) {
  BlockList list{std::string(vantage), {}};
  for (size_t i = 0; i < bases.size(); ++i) {
    if (!list.runs.empty()) {
      BlockRun& last = list.runs.back();
      if (last.first + (last.count << 8) == bases[i] && group[i] == group[i - 1]) {
        ++last.count;
        continue;
      }
    }
    list.runs.push_back({bases[i], 1, groups[group[i]]});
  }
  return list;
}

std::string FormatBlockList(const BlockList& list) {
  std::string out(kBlocksHeader);
  out += '\n';
  for (const BlockRun& r : list.runs) {
    out += "BLOCKS\t" + list.vantage + "\t";
    AppendBlock(out, r.first);
    out += "\t" + std::to_string(r.count) + "\t";
    if (r.entities.empty()) out += '-';
    for (size_t i = 0; i < r.entities.size(); ++i) {
      if (i) out += ',';
      out += r.entities[i];
    }
    out += '\n';
  }
  return out;
}

Result<BlockList> ParseBlockList(std::string_view text, std::string_view name) {
  BlockList list;
  ProbeLines lines(text, kBlocksHeader);
  auto fail = [&](std::string what) {
    return Status(StatusCode::kDataLoss, "probe block list: " + what,
                  {.file = std::string(name), .line = lines.line_no()});
  };
  uint64_t next_free = 0;  // first base after the previous run
  std::string_view line;
  std::string problem;
  while (lines.Next(&line, &problem)) {
    auto f = SplitTabs(line);
    if (f.size() != 5 || f[0] != "BLOCKS") return fail("expected BLOCKS with 5 fields");
    if (!ValidateVantage(f[1]).ok()) return fail("bad vantage name");
    if (list.vantage.empty()) {
      list.vantage = std::string(f[1]);
    } else if (f[1] != list.vantage) {
      return fail("BLOCKS of two vantage points");
    }
    BlockRun r;
    if (!Block(f[2], &r.first)) return fail("bad block");
    if (!Num(f[3], &r.count) || r.count == 0) return fail("bad count");
    if (uint64_t{r.first} + (uint64_t{r.count} << 8) > (uint64_t{1} << 32))
      return fail("run past 255.255.255.0/24");
    if (r.first < next_free) return fail("runs not sorted or overlapping");
    next_free = uint64_t{r.first} + (uint64_t{r.count} << 8);
    if (f[4] != "-") {
      std::string_view rest = f[4];
      for (;;) {
        size_t c = rest.find(',');
        std::string_view e = rest.substr(0, c);
        if (Status s = store::ValidateEntity(e); !s.ok()) return fail(s.message());
        r.entities.emplace_back(e);
        if (c == std::string_view::npos) break;
        rest.remove_prefix(c + 1);
      }
    }
    list.runs.push_back(std::move(r));
  }
  if (!problem.empty()) return fail(problem);
  if (list.vantage.empty()) return fail("no BLOCKS line");
  return list;
}

}  // namespace blackout::probe
