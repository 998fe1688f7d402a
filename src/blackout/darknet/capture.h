// Where packets come from: capture files (pcap or pcapng, plain or compressed) and live interfaces,
// both through libpcap. Compressed files are decompressed by base/input.h's InputStream (the MRT
// reader's) and handed to libpcap as a stream, so every format the MRT reader reads works here.
//
// A damaged file keeps its sound part: Next() returns every whole packet before the damage, then a
// kDataLoss Status naming the file, the packet number and the byte offset where reading stopped,
// and how many bytes were left unread (libpcap cannot resynchronise inside a capture file).
//
// Thread-safety: one consumer thread; Interrupt() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "blackout/base/status.h"
#include "blackout/base/time.h"

namespace blackout::darknet {

struct CapturedPacket {
  UnixSeconds time = 0;
  uint32_t micros = 0;
  std::span<const uint8_t> bytes;  // valid until the next Next()
};

struct LiveOptions {
  int snaplen = 128;  // headers only: a telescope counts, it does not read payloads
  int timeout_ms = 200;
  bool promiscuous = true;
  int buffer_bytes = 8 << 20;
};

// Whether `bpf` compiles (pcap-filter(7)); kInvalidArgument with libpcap's reason otherwise.
Status CheckBpf(const std::string& bpf);

class PacketSource {
 public:
  ~PacketSource();
  PacketSource(const PacketSource&) = delete;
  PacketSource& operator=(const PacketSource&) = delete;

  // A capture file (any compression base/input.h detects). kNotFound, or kDataLoss when the file
  // is not a capture at all (libpcap's reason included).
  static Result<std::unique_ptr<PacketSource>> OpenFile(const std::string& path);
  // A live interface ("eth1"). kPermissionDenied without CAP_NET_RAW, kNotFound for no such
  // interface, kUnavailable otherwise.
  static Result<std::unique_ptr<PacketSource>> OpenLive(const std::string& interface,
                                                        const LiveOptions& options = {});

  // Compiles and applies a BPF filter (pcap-filter(7)); kInvalidArgument with libpcap's reason.
  Status SetFilter(const std::string& bpf);

  // true: *out holds a packet. false: the end of the file, or (live) the read timed out or was
  // interrupted with nothing captured. A damaged file: kDataLoss as described above.
  Result<bool> Next(CapturedPacket* out);
  // Makes a blocked Next() on a live source return false soon.
  void Interrupt();

  int link() const { return link_; }  // LINKTYPE_* of the packets
  uint64_t packets() const { return packets_; }
  const std::string& name() const { return name_; }
  // Packets the kernel dropped (live sources; 0 for files).
  uint64_t kernel_drops() const;

 private:
  struct Impl;
  PacketSource();
  std::unique_ptr<Impl> impl_;
  int link_ = 0;
  uint64_t packets_ = 0;
  std::string name_;
};

}  // namespace blackout::darknet
