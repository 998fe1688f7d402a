#include "blackout/geo/internal/mmdb_walk.h"

#include <maxminddb.h>

#include <map>
#include <unordered_map>
#include <utility>

#include "blackout/geo/internal/range_csv.h"

namespace blackout::geo::internal {
namespace {

class Walker {
 public:
  Walker(MMDB_s* db, std::string file, Family family, MmdbWalk* out)
      : db_(db), file_(std::move(file)), family_(family), out_(out) {
    // Leaves deeper than this are folded into the range of their ancestor at this depth.
    max_depth_ = family == Family::kIPv4 ? 32 : 64;
  }

  void Run() {
    uint32_t root = 0;
    int start_depth = 0;
    if (family_ == Family::kIPv4 && db_->metadata.ip_version == 6) {
      // IPv4 lives at ::/96 in an IPv6 tree.
      for (int i = 0; i < 96; ++i) {
        MMDB_search_node_s node;
        if (!ReadNode(root, &node)) return;
        if (node.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE) return;
        root = static_cast<uint32_t>(node.left_record);
      }
    }
    Visit(root, start_depth, 0);
    if (dropped_) {
      Location where;
      where.file = file_;
      out_->problems.emplace_back(StatusCode::kDataLoss,
                                  std::to_string(dropped_) + " more problems not listed", where);
    }
  }

 private:
  // Node `n` at `depth` covers addresses starting with `pos` (top `depth` bits significant).
  void Visit(uint32_t n, int depth, uint64_t pos) {
    if (depth >= max_depth_) {
      // Below the resolution we keep: take the first data record underneath.
      int64_t place = FirstPlaceBelow(n, 0);
      if (place >= 0) Emit(pos, depth, static_cast<uint32_t>(place));
      return;
    }
    MMDB_search_node_s node;
    if (!ReadNode(n, &node)) return;
    int shift = (family_ == Family::kIPv4 ? 32 : 64) - depth - 1;
    uint64_t right_pos = pos | (uint64_t{1} << shift);
    Child(node.left_record, node.left_record_type, node.left_record_entry, depth + 1, pos);
    Child(node.right_record, node.right_record_type, node.right_record_entry, depth + 1, right_pos);
  }

  void Child(uint64_t record, uint8_t type, MMDB_entry_s entry, int depth, uint64_t pos) {
    switch (type) {
      case MMDB_RECORD_TYPE_SEARCH_NODE:
        Visit(static_cast<uint32_t>(record), depth, pos);
        break;
      case MMDB_RECORD_TYPE_DATA: {
        int64_t place = Place(entry);
        if (place >= 0) Emit(pos, depth, static_cast<uint32_t>(place));
        break;
      }
      case MMDB_RECORD_TYPE_EMPTY:
        break;
      default:
        Problem("invalid record " + std::to_string(record), NodeOffset(record));
    }
  }

  int64_t FirstPlaceBelow(uint32_t n, int guard) {
    if (guard > 128) return -1;
    MMDB_search_node_s node;
    if (!ReadNode(n, &node)) return -1;
    for (int side = 0; side < 2; ++side) {
      uint8_t type = side ? node.right_record_type : node.left_record_type;
      uint64_t record = side ? node.right_record : node.left_record;
      MMDB_entry_s entry = side ? node.right_record_entry : node.left_record_entry;
      if (type == MMDB_RECORD_TYPE_DATA) return Place(entry);
      if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
        int64_t p = FirstPlaceBelow(static_cast<uint32_t>(record), guard + 1);
        if (p >= 0) return p;
      }
    }
    return -1;
  }

  void Emit(uint64_t pos, int depth, uint32_t place) {
    int remaining = (family_ == Family::kIPv4 ? 32 : 64) - depth;
    uint64_t span = remaining <= 0    ? 0
                    : remaining >= 64 ? ~uint64_t{0}
                                      : (uint64_t{1} << remaining) - 1;
    uint64_t last = pos + span;
    auto& r = out_->ranges;
    if (!r.empty() && r.back().place == place && r.back().last + 1 == pos) {
      r.back().last = last;
    } else if (!r.empty() && pos <= r.back().last) {
      // Only possible when sub-/64 IPv6 leaves are folded; the first one wins.
      if (last > r.back().last) r.push_back({r.back().last + 1, last, place});
    } else {
      r.push_back({pos, last, place});
    }
  }

  bool ReadNode(uint32_t n, MMDB_search_node_s* node) {
    int rc = MMDB_read_node(db_, n, node);
    if (rc != MMDB_SUCCESS) {
      Problem(
          std::string("cannot read search node ") + std::to_string(n) + ": " + MMDB_strerror(rc),
          NodeOffset(n));
      return false;
    }
    return true;
  }

  uint64_t NodeOffset(uint64_t n) const { return n * db_->full_record_byte_size; }

  // The place index of a data record, decoded once per record offset; -1 if undecodable.
  int64_t Place(MMDB_entry_s entry) {
    auto it = by_offset_.find(entry.offset);
    if (it != by_offset_.end()) return it->second;
    ++out_->data_records;
    MmdbPlace place;
    int64_t result = -1;
    MMDB_entry_data_s data;
    int rc = MMDB_get_value(&entry, &data, "country_code", nullptr);
    uint64_t data_offset = db_->data_section - db_->file_content + entry.offset;
    if (rc != MMDB_SUCCESS) {
      Problem(std::string("bad data record: ") + MMDB_strerror(rc), data_offset);
    } else {
      if (data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING) {
        place.country = MakeCountryCode({data.utf8_string, data.data_size});
      }
      rc = MMDB_get_value(&entry, &data, "state1", nullptr);
      if (rc == MMDB_SUCCESS && data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING) {
        place.state.assign(data.utf8_string, data.data_size);
      } else if (rc != MMDB_SUCCESS && rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) {
        Problem(std::string("bad data record: ") + MMDB_strerror(rc), data_offset);
      }
      if (place.country) {
        auto key = std::make_pair(place.country, place.state);
        auto [pit, inserted] = place_index_.try_emplace(key, out_->places.size());
        if (inserted) out_->places.push_back(std::move(place));
        result = static_cast<int64_t>(pit->second);
      }
    }
    by_offset_.emplace(entry.offset, result);
    return result;
  }

  void Problem(std::string message, uint64_t offset) {
    Location where;
    where.file = file_;
    where.offset = offset;
    AddProblem(out_->problems, Status(StatusCode::kDataLoss, std::move(message), where), dropped_);
  }

  MMDB_s* db_;
  std::string file_;
  Family family_;
  MmdbWalk* out_;
  int max_depth_;
  uint64_t dropped_ = 0;
  std::unordered_map<uint32_t, int64_t> by_offset_;
  std::map<std::pair<CountryCode, std::string>, uint32_t> place_index_;
};

}  // namespace

Result<MmdbWalk> WalkMmdb(const std::filesystem::path& file, Family family) {
  MMDB_s db;
  int rc = MMDB_open(file.c_str(), MMDB_MODE_MMAP, &db);
  if (rc != MMDB_SUCCESS) {
    Location where;
    where.file = file.string();
    return Status(StatusCode::kDataLoss, std::string("cannot open mmdb: ") + MMDB_strerror(rc),
                  where);
  }
  MmdbWalk out;
  out.build_epoch = db.metadata.build_epoch;
  if (db.metadata.database_type) out.database_type = db.metadata.database_type;
  if (family == Family::kIPv6 && db.metadata.ip_version != 6) {
    MMDB_close(&db);
    return out;  // an IPv4-only database has no IPv6 space
  }
  Walker(&db, file.string(), family, &out).Run();
  MMDB_close(&db);
  return out;
}

}  // namespace blackout::geo::internal
