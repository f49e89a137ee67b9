// Declarations shared by the filter's parser (filter_parse.cpp) and its evaluator (filter.cpp);
// not part of the tracer's interface.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tracer/filter.h"

namespace pscope::tracer::detail {

// Primitive names, indexed by Proto.
inline constexpr std::string_view kProtoNames[] = {"tcp", "udp", "icmp", "icmp6", "arp", "ip", "ip6"};

// Canonical text of an address (family 4: the first 4 bytes).
std::string ip_text(const std::array<uint8_t, 16>& a, uint8_t family);

// Nesting the parser will count when it reads the rendering of node i back; parse() rejects a
// filter whose text() would not parse.
int rendered_depth(const std::vector<Node>& nodes, int i);

}  // namespace pscope::tracer::detail
