// The table behind the Guarder's BPF_PROG_TEST_RUN tests (guard_test.cpp): each Row is a rule
// set (JSON, as users write it), one frame built with PacketBuilder, the XDP verdict, the rules
// whose counters must move (every other rule's must not) and the guard_stats that must move.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "packet_builder.h"

namespace pscope::testing::guard {

struct Hit {
  std::uint32_t id = 0;
  std::uint64_t packets = 1;
};

struct Row {
  std::string name;         // gtest name suffix
  std::string description;  // what the row proves
  std::vector<std::pair<std::uint32_t, std::string>> rules;  // id, JSON
  Bytes packet;
  std::uint32_t verdict = 2;  // XDP_PASS or XDP_DROP (1)
  std::vector<Hit> hits;      // rules whose packet counter moves (by `packets`)
  bool malformed = false;     // guard_stats.malformed moves
  bool non_ip = false;        // guard_stats.non_ip moves
  std::uint64_t logs = 0;     // guard_stats.log_sent moves by this
};

void PrintTo(const Row& r, std::ostream* os);

// An Ethernet frame between two fixed unicast MACs.
PacketBuilder Frame();
// An ICMP error's quote: the inner packet's IP header and the first 8 bytes after it.
Bytes quote4(const char* src, const char* dst, std::uint8_t proto, std::uint16_t sport,
             std::uint16_t dport);
Bytes quote6(const char* src, const char* dst, std::uint8_t proto, std::uint16_t sport,
             std::uint16_t dport);

// Every row, in a fixed order; names are unique.
std::vector<Row> Rows();
// The parts, in guard_rows.cpp (addresses, priorities, actions) and guard_rows_fields.cpp
// (ports, flags, ICMP, TTL, length, VLAN, options, extension headers, malformed, non-IP).
void add_address_rows(std::vector<Row>& r);
void add_action_rows(std::vector<Row>& r);
void add_field_rows(std::vector<Row>& r);
void add_parser_rows(std::vector<Row>& r);

}  // namespace pscope::testing::guard
