#include "blackout/darknet/packet.h"

#include <gtest/gtest.h>

#include "blackout/darknet/pcap_writer.h"

namespace blackout::darknet {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(PacketTest, RawIpv4SynAck) {
  PacketSpec spec;
  spec.src = 0x88005AA5;  // 136.0.90.165
  spec.dst = 0x0A0A0A0A;
  spec.ttl = 58;
  spec.sport = 80;
  spec.dport = 52085;
  std::string raw = MakeIpv4Packet(spec);
  PacketInfo p;
  ASSERT_EQ(DecodePacket(kLinkRaw, Bytes(raw), &p), Decoded::kIp);
  EXPECT_FALSE(p.v6);
  EXPECT_EQ(p.src4, 0x88005AA5u);
  EXPECT_EQ(p.dst4, 0x0A0A0A0Au);
  EXPECT_EQ(p.ttl, 58);
  EXPECT_EQ(p.protocol, kProtoTcp);
  EXPECT_TRUE(p.transport);
  EXPECT_EQ(p.sport, 80);
  EXPECT_EQ(p.dport, 52085);
  EXPECT_EQ(p.tcp_flags, kTcpSyn | kTcpAck);
  EXPECT_EQ(p.tcp_header_len, 24);
  EXPECT_EQ(p.tcp_window, 29200);
  EXPECT_FALSE(p.fragment);
  EXPECT_EQ(p.SourceKey(), 0x88005AA5u);
}

TEST(PacketTest, EthernetWithVlanTag) {
  PacketSpec spec;
  spec.src = 0x01020304;
  std::string ip = MakeIpv4Packet(spec);
  std::string frame(12, '\x11');
  frame += std::string("\x81\x00\x00\x05\x08\x00", 6);  // 802.1Q tag, then IPv4
  frame += ip;
  PacketInfo p;
  ASSERT_EQ(DecodePacket(kLinkEthernet, Bytes(frame), &p), Decoded::kIp);
  EXPECT_EQ(p.src4, 0x01020304u);
}

TEST(PacketTest, ArpIsNotIp) {
  std::string frame(12, '\x11');
  frame += std::string("\x08\x06", 2) + std::string(28, '\0');
  PacketInfo p;
  EXPECT_EQ(DecodePacket(kLinkEthernet, Bytes(frame), &p), Decoded::kNotIp);
  EXPECT_EQ(DecodePacket(9999, Bytes(frame), &p), Decoded::kNotIp);
}

TEST(PacketTest, TruncatedHeadersAreReported) {
  std::string ip = MakeIpv4Packet(PacketSpec{});
  PacketInfo p;
  EXPECT_EQ(DecodePacket(kLinkRaw, Bytes(ip.substr(0, 19)), &p), Decoded::kTruncated);
  EXPECT_EQ(DecodePacket(kLinkEthernet, Bytes(std::string(13, '\0')), &p), Decoded::kTruncated);
  // IHL claims 60 bytes of header but 40 are there.
  std::string bad = ip;
  bad[0] = 0x4f;
  EXPECT_EQ(DecodePacket(kLinkRaw, Bytes(bad), &p), Decoded::kTruncated);
  // The IP header is whole but the TCP header is cut: decoded, transport absent.
  ASSERT_EQ(DecodePacket(kLinkRaw, Bytes(ip.substr(0, 30)), &p), Decoded::kIp);
  EXPECT_FALSE(p.transport);
}

TEST(PacketTest, LaterFragmentHasNoTransport) {
  PacketSpec spec;
  spec.fragment_offset = 10;
  std::string ip = MakeIpv4Packet(spec);
  PacketInfo p;
  ASSERT_EQ(DecodePacket(kLinkRaw, Bytes(ip), &p), Decoded::kIp);
  EXPECT_TRUE(p.fragment);
  EXPECT_FALSE(p.transport);
}

TEST(PacketTest, Ipv6WithFragmentHeaderAndUdp) {
  std::string p6(40 + 8 + 8, '\0');
  p6[0] = 0x60;
  p6[6] = 44;  // fragment header
  p6[7] = 61;  // hop limit
  p6[8] = 0x20;
  p6[9] = 0x01;
  p6[10] = 0x0d;
  p6[11] = '\xb9';
  p6[40] = 17;  // then UDP, first fragment (offset 0)
  p6[48] = 0x13;
  p6[49] = '\x88';  // sport 5000
  PacketInfo p;
  ASSERT_EQ(DecodePacket(kLinkIpv6, Bytes(p6), &p), Decoded::kIp);
  EXPECT_TRUE(p.v6);
  EXPECT_TRUE(p.fragment);
  EXPECT_EQ(p.protocol, kProtoUdp);
  EXPECT_EQ(p.sport, 5000);
  EXPECT_EQ(p.ttl, 61);
  EXPECT_NE(p.SourceKey() >> 63, 0u);
}

TEST(PacketTest, LinuxCookedCapture) {
  std::string ip = MakeIpv4Packet(PacketSpec{.src = 0x05060708});
  std::string sll(14, '\0');
  sll += std::string("\x08\x00", 2);
  PacketInfo p;
  ASSERT_EQ(DecodePacket(kLinkLinuxSll, Bytes(sll + ip), &p), Decoded::kIp);
  EXPECT_EQ(p.src4, 0x05060708u);
}

}  // namespace
}  // namespace blackout::darknet
