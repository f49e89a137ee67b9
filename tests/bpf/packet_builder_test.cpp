// Unit tests of the pure PacketBuilder: wire layout, lengths and checksums of the frames the BPF
// tests feed to the kernel.
#include "packet_builder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

namespace {

using pscope::testing::Bytes;
using pscope::testing::csum_add;
using pscope::testing::csum_fold;
using pscope::testing::inet_checksum;
using pscope::testing::Layout;
using pscope::testing::PacketBuilder;
namespace pt = pscope::testing;

std::uint16_t be16(const Bytes& b, std::size_t off) {
  return static_cast<std::uint16_t>(b.at(off) << 8 | b.at(off + 1));
}
std::uint32_t be32(const Bytes& b, std::size_t off) {
  return static_cast<std::uint32_t>(be16(b, off)) << 16 | be16(b, off + 2);
}

// Verifies a TCP/UDP/ICMPv6 checksum over an IPv4 or IPv6 pseudo-header: the sum folds to 0.
std::uint16_t l4_verify_v4(const Bytes& f, std::size_t l3, std::size_t l4) {
  std::size_t len = f.size() - l4;
  std::uint32_t s = csum_add(0, f.data() + l3 + 12, 8);
  s += f[l3 + 9];
  s += static_cast<std::uint32_t>(len);
  return csum_fold(csum_add(s, f.data() + l4, len));
}
std::uint16_t l4_verify_v6(const Bytes& f, std::size_t l3, std::size_t l4, std::uint8_t nh) {
  std::size_t len = f.size() - l4;
  std::uint32_t s = csum_add(0, f.data() + l3 + 8, 32);
  s += static_cast<std::uint32_t>(len);
  s += nh;
  return csum_fold(csum_add(s, f.data() + l4, len));
}

TEST(PacketBuilder, EthernetPutsDestinationFirst) {
  Bytes f = PacketBuilder().eth("02:00:00:00:00:01", "aa:bb:cc:dd:ee:ff")
                .ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
  EXPECT_EQ(Bytes(f.begin(), f.begin() + 6), (Bytes{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}));
  EXPECT_EQ(Bytes(f.begin() + 6, f.begin() + 12), (Bytes{0x02, 0, 0, 0, 0, 0x01}));
  EXPECT_EQ(be16(f, 12), pt::kEthIPv4);
}

TEST(PacketBuilder, Ipv4TcpLengthsAndChecksums) {
  PacketBuilder b;
  b.ipv4("10.0.0.1", "10.0.0.2").ttl(17).tcp(1234, 80, pt::kSyn | pt::kAck).seq(100).ack(200)
      .payload(33);
  Bytes f = b.build();
  Layout l = b.layout();
  EXPECT_EQ(l.l3, 14u);
  EXPECT_EQ(l.l4, 34u);
  EXPECT_EQ(l.payload, 54u);
  ASSERT_EQ(f.size(), 14u + 20 + 20 + 33);
  EXPECT_EQ(l.size, f.size());
  EXPECT_EQ(f[14], 0x45);
  EXPECT_EQ(be16(f, 16), 20 + 20 + 33) << "IPv4 total length";
  EXPECT_EQ(f[22], 17) << "TTL";
  EXPECT_EQ(f[23], pt::kProtoTcp);
  EXPECT_EQ(inet_checksum(f.data() + 14, 20), 0) << "IPv4 header checksum must verify";
  EXPECT_NE(be16(f, 24), 0);
  EXPECT_EQ(be16(f, 34), 1234);
  EXPECT_EQ(be16(f, 36), 80);
  EXPECT_EQ(be32(f, 38), 100u);
  EXPECT_EQ(be32(f, 42), 200u);
  EXPECT_EQ(f[46], 0x50) << "data offset 5";
  EXPECT_EQ(f[47], pt::kSyn | pt::kAck);
  EXPECT_EQ(l4_verify_v4(f, 14, 34), 0) << "TCP checksum must verify";
  EXPECT_EQ(f[54], 0);
  EXPECT_EQ(f[55], 1) << "payload counts up";
}

TEST(PacketBuilder, Ipv4OptionsPaddedAndCovered) {
  PacketBuilder b;
  b.ipv4("192.0.2.1", "192.0.2.2").ip_options(7).udp(5, 6);
  Bytes f = b.build();
  EXPECT_EQ(f[14], 0x47) << "7 bytes round up to 8: IHL 7";
  EXPECT_EQ(inet_checksum(f.data() + 14, 28), 0);
  for (std::size_t i = 34; i < 41; i++) EXPECT_EQ(f[i], 1) << "NOP at " << i;
  EXPECT_EQ(f[41], 0) << "EOL";
  EXPECT_EQ(b.layout().l4, 42u);
  EXPECT_EQ(be16(f, 16), 28 + 8);
  EXPECT_THROW(PacketBuilder().ip_options(41), std::invalid_argument);
}

TEST(PacketBuilder, UdpLengthAndChecksumV4) {
  Bytes f = PacketBuilder().ipv4("10.1.2.3", "10.3.2.1").udp(5353, 53).payload(11).build();
  EXPECT_EQ(be16(f, 16), 20 + 8 + 11);
  EXPECT_EQ(be16(f, 34 + 4), 8 + 11) << "UDP length";
  EXPECT_NE(be16(f, 34 + 6), 0);
  EXPECT_EQ(l4_verify_v4(f, 14, 34), 0);
  EXPECT_EQ(inet_checksum(f.data() + 14, 20), 0);
}

TEST(PacketBuilder, IcmpEchoIdentifierAndChecksum) {
  Bytes f = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").icmp(pt::kIcmpEchoRequest, 0, 0x4242, 9)
                .payload(56).build();
  EXPECT_EQ(f[23], pt::kProtoIcmp);
  EXPECT_EQ(f[34], 8);
  EXPECT_EQ(f[35], 0);
  EXPECT_EQ(be16(f, 38), 0x4242);
  EXPECT_EQ(be16(f, 40), 9);
  EXPECT_EQ(inet_checksum(f.data() + 34, f.size() - 34), 0) << "ICMP has no pseudo-header";
}

TEST(PacketBuilder, VlanOffsetsAndQinQ) {
  PacketBuilder b;
  b.vlan(200, 5, pt::kEth8021AD).vlan(100).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2);
  Bytes f = b.build();
  EXPECT_EQ(be16(f, 12), pt::kEth8021AD);
  EXPECT_EQ(be16(f, 14), (5 << 13) | 200) << "PCP and VLAN id";
  EXPECT_EQ(be16(f, 16), pt::kEth8021Q);
  EXPECT_EQ(be16(f, 18), 100);
  EXPECT_EQ(be16(f, 20), pt::kEthIPv4);
  EXPECT_EQ(b.layout().l3, 22u);
  EXPECT_EQ(b.layout().l4, 42u);
  EXPECT_EQ(f[22], 0x45);
  EXPECT_EQ(inet_checksum(f.data() + 22, 20), 0);
  EXPECT_EQ(f.size(), 14u + 8 + 20 + 8);
}

TEST(PacketBuilder, Ipv6ExtensionChainAndPayloadLength) {
  PacketBuilder b;
  b.ipv6("2001:db8::1", "2001:db8::2").hop_limit(9).ext_hop_by_hop().ext_routing()
      .ext_fragment(0, true).ext_dest_opts(1).ext_ah().udp(546, 547).payload(10);
  Bytes f = b.build();
  Layout l = b.layout();
  const std::size_t ext = 8 + 24 + 8 + 16 + 16;
  ASSERT_EQ(f.size(), 14u + 40 + ext + 8 + 10);
  EXPECT_EQ(f[14] >> 4, 6);
  EXPECT_EQ(be16(f, 18), ext + 8 + 10) << "IPv6 payload length includes extension headers";
  EXPECT_EQ(f[20], pt::kProtoHopOpts);
  EXPECT_EQ(f[21], 9);
  std::size_t off = 54;
  // hop-by-hop: next routing, Hdr Ext Len 0 (8 bytes)
  EXPECT_EQ(f[off], pt::kProtoRouting);
  EXPECT_EQ(f[off + 1], 0);
  off += 8;
  // routing: next fragment, Hdr Ext Len 2 (24 bytes)
  EXPECT_EQ(f[off], pt::kProtoFragment);
  EXPECT_EQ(f[off + 1], 2);
  off += 24;
  // fragment: next dest-opts, offset 0, M set
  EXPECT_EQ(f[off], pt::kProtoDstOpts);
  EXPECT_EQ(be16(f, off + 2), 1);
  off += 8;
  // dest-opts: next AH, Hdr Ext Len 1 (16 bytes)
  EXPECT_EQ(f[off], pt::kProtoAh);
  EXPECT_EQ(f[off + 1], 1);
  off += 16;
  // AH: next UDP, Payload Len 2 ((16 / 4) - 2)
  EXPECT_EQ(f[off], pt::kProtoUdp);
  EXPECT_EQ(f[off + 1], 2);
  off += 16;
  EXPECT_EQ(l.l4, off);
  EXPECT_EQ(be16(f, off), 546);
  EXPECT_EQ(be16(f, off + 4), 8 + 10) << "UDP length";
  EXPECT_EQ(l4_verify_v6(f, 14, off, pt::kProtoUdp), 0);
}

TEST(PacketBuilder, Ipv6FragmentOffsetAndTcpIcmpv6Checksums) {
  Bytes later = PacketBuilder().ipv6("::1", "::2").ext_fragment(1232, false).udp(1, 2).build();
  EXPECT_EQ(be16(later, 54 + 2), 1232) << "offset in bytes == (units << 3), M clear";
  EXPECT_THROW(PacketBuilder().ext_fragment(12, false), std::invalid_argument);

  Bytes t = PacketBuilder().ipv6("fd00::1", "fd00::2").tcp(22, 50000, pt::kAck).payload(5).build();
  EXPECT_EQ(be16(t, 18), 20 + 5);
  EXPECT_EQ(t[20], pt::kProtoTcp);
  EXPECT_EQ(l4_verify_v6(t, 14, 54, pt::kProtoTcp), 0);

  Bytes i = PacketBuilder().ipv6("fe80::1", "fe80::2").icmpv6(pt::kIcmp6EchoRequest, 0, 7, 8).build();
  EXPECT_EQ(i[54], 128);
  EXPECT_EQ(be16(i, 58), 7);
  EXPECT_EQ(l4_verify_v6(i, 14, 54, pt::kProtoIcmpv6), 0);
}

TEST(PacketBuilder, Ipv4FragmentFields) {
  Bytes first = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ip_fragment(0, true).udp(1, 2).build();
  EXPECT_EQ(be16(first, 20), 0x2000) << "MF";
  Bytes later = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ip_fragment(1480, false)
                    .dont_fragment().udp(1, 2).build();
  EXPECT_EQ(be16(later, 20), 0x4000 | 185) << "DF + offset in 8-byte units";
  EXPECT_EQ(inet_checksum(later.data() + 14, 20), 0);
  EXPECT_THROW(PacketBuilder().ip_fragment(100, false), std::invalid_argument);
}

TEST(PacketBuilder, ArpLayout) {
  Bytes req = PacketBuilder().eth("02:00:00:00:00:0a", "ff:ff:ff:ff:ff:ff")
                  .arp(pt::kArpRequest, "192.168.1.10", "192.168.1.1").build();
  ASSERT_EQ(req.size(), 14u + 28);
  EXPECT_EQ(be16(req, 12), pt::kEthArp);
  EXPECT_EQ(be16(req, 14), 1) << "htype Ethernet";
  EXPECT_EQ(be16(req, 16), pt::kEthIPv4);
  EXPECT_EQ(req[18], 6);
  EXPECT_EQ(req[19], 4);
  EXPECT_EQ(be16(req, 20), pt::kArpRequest);
  EXPECT_EQ(req[22 + 5], 0x0a) << "sender MAC = Ethernet source";
  EXPECT_EQ(Bytes(req.begin() + 28, req.begin() + 32), (Bytes{192, 168, 1, 10}));
  EXPECT_EQ(Bytes(req.begin() + 32, req.begin() + 38), Bytes(6, 0)) << "request: target MAC 0";
  EXPECT_EQ(Bytes(req.begin() + 38, req.begin() + 42), (Bytes{192, 168, 1, 1}));
  Bytes rep = PacketBuilder().eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                  .arp(pt::kArpReply, "192.168.1.1", "192.168.1.10").build();
  EXPECT_EQ(be16(rep, 20), pt::kArpReply);
  EXPECT_EQ(rep[32 + 5], 0x02) << "reply: target MAC = Ethernet destination";
}

TEST(PacketBuilder, BreakersChangeOnlyTheirField) {
  Bytes ihl = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ihl(4).udp(1, 2).build();
  EXPECT_EQ(ihl[14], 0x44);
  EXPECT_EQ(ihl.size(), 14u + 20 + 8) << "the real 20-byte header is still emitted";
  Bytes ver = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").ip_version(5).udp(1, 2).build();
  EXPECT_EQ(ver[14], 0x55);
  EXPECT_EQ(inet_checksum(ver.data() + 14, 20), 0) << "checksum covers the broken field";
  Bytes tl = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tot_len(10).udp(1, 2).build();
  EXPECT_EQ(be16(tl, 16), 10);
  Bytes doff = PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, pt::kSyn).tcp_doff(3).build();
  EXPECT_EQ(doff[46], 0x30);
  Bytes v6 = PacketBuilder().ipv6("::1", "::2").ip_version(4).udp(1, 2).build();
  EXPECT_EQ(v6[14] >> 4, 4);
}

TEST(PacketBuilder, TruncateCutsTheFinishedFrame) {
  PacketBuilder b;
  b.ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, pt::kSyn).payload(100).truncate(40);
  Bytes f = b.build();
  EXPECT_EQ(f.size(), 40u);
  EXPECT_EQ(be16(f, 16), 20 + 20 + 100) << "lengths keep their full values";
  EXPECT_EQ(b.layout().size, 14u + 20 + 20 + 100);
  EXPECT_EQ(PacketBuilder().ipv4("10.0.0.1", "10.0.0.2").truncate(1000).build().size(), 34u)
      << "truncating past the end is a no-op";
}

TEST(PacketBuilder, NonIpAndL3OnlyFrames) {
  Bytes lldp = PacketBuilder().ethertype(pt::kEthLldp).payload(4).build();
  EXPECT_EQ(lldp.size(), 18u);
  EXPECT_EQ(be16(lldp, 12), pt::kEthLldp);
  EXPECT_EQ(lldp[14 + 3], 3);

  PacketBuilder l3;
  l3.no_eth().ipv6("::1", "::2").udp(1, 2);
  Bytes f = l3.build();
  EXPECT_EQ(f[0] >> 4, 6);
  EXPECT_EQ(l3.layout().l3, 0u);
  EXPECT_EQ(l3.layout().l4, 40u);
}

TEST(PacketBuilder, RejectsBadInput) {
  EXPECT_THROW(PacketBuilder().ipv4("10.0.0.300", "10.0.0.1"), std::invalid_argument);
  EXPECT_THROW(PacketBuilder().ipv6("2001:db8::g", "::1"), std::invalid_argument);
  EXPECT_THROW(PacketBuilder().eth("02:00:00:00:00", "02:00:00:00:00:01"), std::invalid_argument);
  EXPECT_THROW(PacketBuilder().eth("02-00-00-00-00-01", "02:00:00:00:00:01"), std::invalid_argument);
  EXPECT_THROW(PacketBuilder().udp(1, 2).build(), std::logic_error) << "no L3 layer";
  EXPECT_THROW(PacketBuilder().no_eth().vlan(1).ipv4("1.1.1.1", "2.2.2.2").build(),
               std::logic_error);
}

TEST(PacketBuilder, ChecksumHelpers) {
  // RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 fold to 0xddf2; the checksum is ~0xddf2.
  const Bytes b = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(csum_fold(csum_add(0, b.data(), b.size())), 0x220d);
  EXPECT_EQ(inet_checksum(b.data(), b.size()), 0x220d);
  const Bytes odd = {0x01};
  EXPECT_EQ(inet_checksum(odd.data(), odd.size()), static_cast<std::uint16_t>(~0x0100 & 0xffff));
}

}  // namespace
