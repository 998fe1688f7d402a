#include "blackout/sim/mrt_writer.h"

#include <zlib.h>

#include <cstdio>

namespace blackout::sim {
namespace {

void Put8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }
void Put16(std::string& out, uint16_t v) {
  Put8(out, v >> 8);
  Put8(out, v & 0xff);
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v >> 16);
  Put16(out, v & 0xffff);
}
void PutV4(std::string& out, const IpAddress& a) { Put32(out, a.v4()); }

// RFC 4271 §4.3: length in bits, then the minimum number of octets.
void PutPrefix(std::string& out, const Prefix& p) {
  Put8(out, p.length());
  const auto& b = p.address().bytes();
  for (int i = 0; i < (p.length() + 7) / 8; ++i) Put8(out, b[i]);
}

// ORIGIN IGP, AS_PATH (one AS_SEQUENCE of 4-byte ASNs), NEXT_HOP. RFC 4271 §4.3, §5.1.
std::string Attributes(std::span<const uint32_t> path, const IpAddress& next_hop) {
  std::string a;
  Put8(a, 0x40);  // well-known transitive
  Put8(a, 1);     // ORIGIN
  Put8(a, 1);
  Put8(a, 0);  // IGP
  size_t seg = 2 + 4 * path.size();
  if (seg > 255) {
    Put8(a, 0x50);  // + extended length
    Put8(a, 2);     // AS_PATH
    Put16(a, static_cast<uint16_t>(seg));
  } else {
    Put8(a, 0x40);
    Put8(a, 2);
    Put8(a, static_cast<uint8_t>(seg));
  }
  Put8(a, 2);  // AS_SEQUENCE
  Put8(a, static_cast<uint8_t>(path.size()));
  for (uint32_t asn : path) Put32(a, asn);
  Put8(a, 0x40);
  Put8(a, 3);  // NEXT_HOP
  Put8(a, 4);
  PutV4(a, next_hop);
  return a;
}

size_t PrefixBytes(const Prefix& p) { return 1 + (p.length() + 7) / 8; }

}  // namespace

struct MrtWriter::Impl {
  std::string path;
  FILE* plain = nullptr;
  gzFile gz = nullptr;
};

MrtWriter::MrtWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MrtWriter::~MrtWriter() { (void)Close(); }

Result<std::unique_ptr<MrtWriter>> MrtWriter::Create(const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  impl->path = path.string();
  if (path.extension() == ".gz") {
    impl->gz = gzopen(impl->path.c_str(), "wb6");
    if (!impl->gz) return IoError("cannot create " + impl->path);
  } else {
    impl->plain = std::fopen(impl->path.c_str(), "wb");
    if (!impl->plain) return IoError("cannot create " + impl->path);
  }
  return std::unique_ptr<MrtWriter>(new MrtWriter(std::move(impl)));
}

Status MrtWriter::Record(UnixSeconds time, uint16_t type, uint16_t subtype,
                         const std::string& body) {
  std::string rec;
  rec.reserve(kMrtHeaderSize + body.size());
  Put32(rec, static_cast<uint32_t>(time));
  Put16(rec, type);
  Put16(rec, subtype);
  Put32(rec, static_cast<uint32_t>(body.size()));
  rec += body;
  bool ok = impl_->gz ? gzwrite(impl_->gz, rec.data(), static_cast<unsigned>(rec.size())) ==
                            static_cast<int>(rec.size())
                      : impl_->plain &&
                            std::fwrite(rec.data(), 1, rec.size(), impl_->plain) == rec.size();
  if (!ok) return IoError("write failed: " + impl_->path);
  return Status::Ok();
}

Status MrtWriter::PeerIndexTable(UnixSeconds time, const IpAddress& collector_id,
                                 const std::string& view, std::span<const MrtPeer> peers) {
  std::string b;
  PutV4(b, collector_id);
  Put16(b, static_cast<uint16_t>(view.size()));
  b += view;
  Put16(b, static_cast<uint16_t>(peers.size()));
  for (const MrtPeer& p : peers) {
    Put8(b, 0x02);  // peer type: IPv4 address, 4-byte AS (RFC 6396 §4.3.1)
    PutV4(b, p.bgp_id);
    PutV4(b, p.address);
    Put32(b, p.asn);
  }
  return Record(time, kMrtTableDumpV2, kPeerIndexTable, b);
}

Status MrtWriter::RibIpv4(UnixSeconds time, uint32_t sequence, const Prefix& prefix,
                          std::span<const RibEntry> entries) {
  std::string b;
  Put32(b, sequence);
  PutPrefix(b, prefix);
  Put16(b, static_cast<uint16_t>(entries.size()));
  for (const RibEntry& e : entries) {
    Put16(b, e.peer_index);
    Put32(b, static_cast<uint32_t>(e.originated));
    std::string attrs = Attributes(e.as_path, e.next_hop);
    Put16(b, static_cast<uint16_t>(attrs.size()));
    b += attrs;
  }
  return Record(time, kMrtTableDumpV2, kRibIpv4Unicast, b);
}

Status MrtWriter::UpdateAs4(UnixSeconds time, const MrtPeer& peer, uint32_t local_asn,
                            const IpAddress& local_address, std::span<const Prefix> withdrawn,
                            std::span<const Prefix> announced, std::span<const uint32_t> as_path,
                            const IpAddress& next_hop) {
  const std::string attrs = announced.empty() ? std::string() : Attributes(as_path, next_hop);
  // 19-byte header + 2 + 2 bytes of lengths; the rest is for prefixes and attributes.
  constexpr size_t kFixed = 19 + 2 + 2;
  size_t wi = 0, ai = 0;
  while (wi < withdrawn.size() || ai < announced.size()) {
    std::string wd, nlri;
    size_t room = kBgpMaxMessage - kFixed;
    while (wi < withdrawn.size() && PrefixBytes(withdrawn[wi]) <= room) {
      PutPrefix(wd, withdrawn[wi]);
      room -= PrefixBytes(withdrawn[wi++]);
    }
    bool with_attrs = ai < announced.size() && attrs.size() + 5 <= room;
    if (with_attrs) {
      room -= attrs.size();
      while (ai < announced.size() && PrefixBytes(announced[ai]) <= room) {
        PutPrefix(nlri, announced[ai]);
        room -= PrefixBytes(announced[ai++]);
      }
    }
    std::string msg(16, '\xff');  // marker
    Put16(msg, static_cast<uint16_t>(kFixed + wd.size() + (with_attrs ? attrs.size() : 0) +
                                     nlri.size()));
    Put8(msg, 2);  // UPDATE
    Put16(msg, static_cast<uint16_t>(wd.size()));
    msg += wd;
    Put16(msg, static_cast<uint16_t>(with_attrs ? attrs.size() : 0));
    if (with_attrs) msg += attrs;
    msg += nlri;

    std::string b;
    Put32(b, peer.asn);
    Put32(b, local_asn);
    Put16(b, 0);  // interface index
    Put16(b, 1);  // AFI IPv4
    PutV4(b, peer.address);
    PutV4(b, local_address);
    b += msg;
    BLACKOUT_RETURN_IF_ERROR(Record(time, kMrtBgp4mp, kMessageAs4, b));
  }
  return Status::Ok();
}

Status MrtWriter::Close() {
  Status st;
  if (impl_->gz) {
    if (gzclose(impl_->gz) != Z_OK) st = IoError("gzip close failed: " + impl_->path);
    impl_->gz = nullptr;
  }
  if (impl_->plain) {
    if (std::fclose(impl_->plain) != 0) st = IoError("close failed: " + impl_->path);
    impl_->plain = nullptr;
  }
  return st;
}

}  // namespace blackout::sim
