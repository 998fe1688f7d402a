#include "blackout/darknet/pcap_writer.h"

#include <cerrno>
#include <cstring>

namespace blackout::darknet {
namespace {

void Be16(std::string& s, size_t at, uint16_t v) {
  s[at] = static_cast<char>(v >> 8);
  s[at + 1] = static_cast<char>(v);
}

// RFC 1071 one's-complement sum over the header.
uint16_t Checksum(const std::string& s, size_t from, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) {
    sum += static_cast<uint32_t>(static_cast<uint8_t>(s[from + i]) << 8 |
                                 static_cast<uint8_t>(s[from + i + 1]));
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

}  // namespace

std::string MakeIpv4Packet(const PacketSpec& spec) {
  size_t transport = 0;
  if (spec.protocol == 6) {
    transport = spec.tcp_mss_option ? 24 : 20;
  } else if (spec.protocol == 17) {
    transport = 8;
  } else if (spec.protocol == 1) {
    transport = 8;
  }
  std::string p(20 + transport, '\0');
  p[0] = 0x45;
  Be16(p, 2, static_cast<uint16_t>(p.size()));
  Be16(p, 6,
       static_cast<uint16_t>((spec.more_fragments ? 0x2000 : 0) | (spec.fragment_offset & 0x1fff)));
  p[8] = static_cast<char>(spec.ttl);
  p[9] = static_cast<char>(spec.protocol);
  for (int i = 0; i < 4; ++i) {
    p[12 + i] = static_cast<char>(spec.src >> (24 - 8 * i));
    p[16 + i] = static_cast<char>(spec.dst >> (24 - 8 * i));
  }
  Be16(p, 10, Checksum(p, 0, 20));
  if (spec.protocol == 6 || spec.protocol == 17) {
    Be16(p, 20, spec.sport);
    Be16(p, 22, spec.dport);
  }
  if (spec.protocol == 6) {
    p[32] = static_cast<char>((transport / 4) << 4);
    p[33] = static_cast<char>(spec.tcp_flags);
    Be16(p, 34, spec.window);
    if (spec.tcp_mss_option) {
      p[40] = 2;  // MSS, RFC 9293 section 3.2
      p[41] = 4;
      Be16(p, 42, 1460);
    }
  } else if (spec.protocol == 17) {
    Be16(p, 24, 8);
  } else if (spec.protocol == 1) {
    p[20] = static_cast<char>(spec.icmp_type);
  }
  return p;
}

PcapWriter::PcapWriter() {
  // Magic 0xa1b2c3d4 (microseconds), version 2.4, snaplen 65535, LINKTYPE_RAW; little-endian.
  const uint32_t header[6] = {0xa1b2c3d4u, 2u | (4u << 16), 0, 0, 65535, kLinkRaw};
  Put(header, sizeof(header));
}

Result<PcapWriter> PcapWriter::Create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return IoError("cannot create " + path + ": " + std::strerror(errno));
  PcapWriter w;
  w.file_ = f;
  w.Put(w.buffer_.data(), w.buffer_.size());
  w.buffer_.clear();
  return w;
}

PcapWriter::PcapWriter(PcapWriter&& o) noexcept
    : file_(o.file_), buffer_(std::move(o.buffer_)), failed_(o.failed_) {
  o.file_ = nullptr;
}

PcapWriter::~PcapWriter() {
  if (file_) std::fclose(file_);
}

void PcapWriter::Put(const void* data, size_t n) {
  if (file_) {
    if (std::fwrite(data, 1, n, file_) != n) failed_ = true;
  } else {
    buffer_.append(static_cast<const char*>(data), n);
  }
}

void PcapWriter::Add(UnixSeconds time, uint32_t micros, const std::string& packet) {
  const uint32_t record[4] = {static_cast<uint32_t>(time), micros,
                              static_cast<uint32_t>(packet.size()),
                              static_cast<uint32_t>(packet.size())};
  Put(record, sizeof(record));
  Put(packet.data(), packet.size());
}

Result<std::string> PcapWriter::Finish() {
  if (!file_) return std::move(buffer_);
  const bool bad = std::fclose(file_) != 0 || failed_;
  file_ = nullptr;
  if (bad) return IoError("writing a pcap file failed");
  return std::string();
}

}  // namespace blackout::darknet
