// The table behind the tracer_tc BPF_PROG_TEST_RUN tests (tracer_tc_test.cpp): each Row is a
// frame built with PacketBuilder plus the ps_pkt_meta that bpf/parse.bpf.h must report for it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "packet_builder.h"
#include "ps/pkt_abi.h"

namespace pscope::testing::tracer_tc {

// What parse.bpf.h must put in ps_pkt_meta. Every field is checked; defaults are "absent".
struct Expect {
  std::uint8_t family = 0;
  std::uint16_t l3_proto = 0;
  std::uint8_t l4_proto = 0;
  const char* saddr = "";  // text; "" = all zero
  const char* daddr = "";
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint8_t tcp_flags = 0;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint16_t vlan_id = 0;
  std::uint8_t ttl = 0;
  std::uint16_t flags = PS_META_L2;
  std::uint32_t l4_off = 0;
  std::uint16_t arp_op = 0;
};

struct Row {
  std::string name;         // test name suffix
  std::string description;  // what the row proves
  Bytes packet;
  Expect want;
};

// gtest's printer for a parameter: name and size instead of a byte dump.
void PrintTo(const Row& r, std::ostream* os);

// An Ethernet frame between two fixed unicast MACs; add the upper layers.
PacketBuilder Frame();

// Every row, in a fixed order. Names must be unique, valid gtest test-name suffixes.
std::vector<Row> Rows();

}  // namespace pscope::testing::tracer_tc
