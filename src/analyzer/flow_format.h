// Text forms of the kernel's flow keys: addresses, protocol names and the stable flow id
// "<netns>/<proto>/<local>:<lport>-<remote>:<rport>" (IPv6 addresses in [], protocols without a
// name as their number).
#pragma once

#include <cstdint>
#include <string>

#include "ps/analyzer_abi.h"

namespace pscope::analyzer {

std::string format_addr(uint8_t family, const uint8_t addr[16]);
std::string protocol_name(uint8_t ip_proto);  // tcp, udp, icmp, icmp6, other
std::string flow_key_string(const ps_an_flow_key& k);

}  // namespace pscope::analyzer
