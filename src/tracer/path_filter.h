// Builds the filter's view of a packet from a decoded path (user-space side of the filter).
#pragma once

#include <array>
#include <string>

#include "tracer/filter.h"
#include "tracer/path.h"

namespace pscope::tracer {

FilterInput filter_input(const PathRecord& r);
// Text address (IPv4 or IPv6) into the 16-byte form FilterInput uses; zeros when unparsable.
std::array<uint8_t, 16> address_bytes(const std::string& text);
uint8_t l4_number(const std::string& protocol);  // "tcp" -> 6, ...

}  // namespace pscope::tracer
