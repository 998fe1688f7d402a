#include "blackout/bmp/replay.h"

#include <fstream>
#include <iterator>
#include <map>

namespace blackout::bmp {

Result<std::vector<TcpStream>> LoadStreams(const std::vector<std::string>& paths) {
  std::vector<TcpStream> out;
  std::map<std::string, size_t> by_sender;
  auto add = [&](TcpStream s) {
    auto [it, fresh] = by_sender.emplace(s.source_address, out.size());
    if (fresh) {
      out.push_back(std::move(s));
      return;
    }
    TcpStream& into = out[it->second];
    into.bytes.insert(into.bytes.end(), s.bytes.begin(), s.bytes.end());
    into.segments += s.segments;
    into.gaps += s.gaps;
    into.overlaps += s.overlaps;
  };
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFound("cannot read " + path);
    const int first = in.peek();
    if (first == kBmpVersion) {
      TcpStream s;
      s.source = s.source_address = path;
      s.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      add(std::move(s));
      continue;
    }
    BLACKOUT_ASSIGN_OR_RETURN(auto streams, ReadTcpStreams(path));
    for (auto& s : streams) add(std::move(s));
  }
  return out;
}

std::vector<std::unique_ptr<Session>> ReplayStreams(const std::vector<TcpStream>& streams,
                                                    bgp::LiveView* view,
                                                    std::vector<std::string>* problems) {
  std::vector<std::unique_ptr<Session>> sessions;
  for (const TcpStream& s : streams) {
    auto session = std::make_unique<Session>(s.source_address, view);
    Status st = session->Feed(s.bytes);
    if (!st.ok() && problems != nullptr) problems->push_back(st.ToString());
    if (problems != nullptr) {
      for (const auto& p : session->problem_texts()) problems->push_back(p);
      if (s.gaps > 0) {
        problems->push_back(s.source + ": " + std::to_string(s.gaps) +
                            " gap(s) in the captured TCP stream");
      }
    }
    sessions.push_back(std::move(session));
  }
  return sessions;
}

}  // namespace blackout::bmp
