// Which stack layer a drop reason belongs to, from the reason's name in the running kernel's
// enum skb_drop_reason (names, not numbers: the numbering changes between kernels).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "analyzer/snapshot.h"
#include "core/result.h"

namespace pscope::analyzer {

// "NETFILTER_DROP" -> network, "TCP_CSUM" -> transport, "SOCKET_RCVBUFF" -> socket,
// "QDISC_DROP" -> link. Names no rule knows (NOT_SPECIFIED, new reasons) count as network: the
// stack's core, where most unnamed frees happen.
Layer drop_reason_layer(std::string_view reason) noexcept;

// Reason value -> name ("NETFILTER_DROP") from the kernel's BTF, prefix stripped.
Result<std::map<int64_t, std::string>> load_drop_reason_names();

// Name for a drop-counter slot: the BTF name, "OTHER" for the shared last slot, else reason_<n>.
std::string drop_reason_name(const std::map<int64_t, std::string>& names, uint32_t slot, uint32_t other_slot);

}  // namespace pscope::analyzer
