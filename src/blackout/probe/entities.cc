#include "blackout/probe/entities.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "blackout/store/types.h"

namespace blackout::probe {

Status StaticEntityMap::Add(const Prefix& prefix, std::vector<std::string> entities) {
  if (!prefix.address().is_v4()) return InvalidArgument("entity map: IPv4 prefixes only");
  for (const std::string& e : entities) {
    if (Status s = store::ValidateEntity(e); !s.ok()) {
      return InvalidArgument("entity map: " + s.message());
    }
  }
  Entry entry{prefix.Masked(), std::move(entities)};
  auto pos = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& x) {
    return x.prefix.length() < entry.prefix.length();
  });
  entries_.insert(pos, std::move(entry));
  return Status::Ok();
}

Result<StaticEntityMap> StaticEntityMap::Load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return IoError("cannot open entity map " + file.string());
  StaticEntityMap map;
  std::string line;
  uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
    std::istringstream ss(line);
    std::string prefix_text;
    if (!(ss >> prefix_text)) continue;
    auto p = Prefix::Parse(prefix_text);
    if (!p.ok()) return p.status().WithLocation({.file = file.string(), .line = n});
    std::vector<std::string> entities;
    for (std::string e; ss >> e;) entities.push_back(e);
    Status st = map.Add(*p, std::move(entities));
    if (!st.ok()) return st.WithLocation({.file = file.string(), .line = n});
  }
  return map;
}

void StaticEntityMap::Attribute(std::span<const uint32_t> bases, std::span<uint32_t> group,
                                std::vector<std::vector<std::string>>& groups) const {
  // Group k < entries_.size() is entry k; the last group is "no entity".
  for (const Entry& e : entries_) groups.push_back(e.entities);
  groups.emplace_back();
  for (size_t i = 0; i < bases.size(); ++i) {
    IpAddress a = IpAddress::V4(bases[i]);
    group[i] = static_cast<uint32_t>(entries_.size());
    for (size_t k = 0; k < entries_.size(); ++k) {
      if (entries_[k].prefix.Contains(a)) {
        group[i] = static_cast<uint32_t>(k);
        break;
      }
    }
  }
}

}  // namespace blackout::probe
