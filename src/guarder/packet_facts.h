// Internal to ps_guarder_model: the packet parser behind facts_from_frame() and
// facts_from_path_detail(), twin of the XDP parser in bpf/guard_parse.bpf.h.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "guarder/matcher.h"

namespace pscope::guarder {

// whole = true: `bytes` are the whole packet (running out of them inside a header, or a length
// field past them, is malformed). false: a capture of the first bytes only; what lies past it is
// unknown, and only lengths the headers themselves make impossible are malformed.
std::optional<PacketFacts> parse_packet(std::span<const uint8_t> bytes, bool l2, bool whole,
                                        uint32_t ifindex);

}  // namespace pscope::guarder
