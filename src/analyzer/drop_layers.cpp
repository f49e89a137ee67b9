// Drop reason -> layer rules (see drop_layers.h).
#include "analyzer/drop_layers.h"

#include <array>
#include <utility>

#include "core/ksyms.h"

namespace pscope::analyzer {
namespace {

// Prefix rules, first match wins. Kept to the families the kernel names today; the default
// (network) covers the rest.
constexpr std::array<std::pair<std::string_view, Layer>, 52> kRules{{
    // socket: the receive queue, the application's copy, socket filters and LSM hooks
    {"SOCKET_", Layer::kSocket}, {"UNIX_", Layer::kSocket}, {"PROTO_MEM", Layer::kSocket},
    {"SKB_UCOPY_FAULT", Layer::kSocket}, {"PACKET_SOCK_ERROR", Layer::kSocket},
    {"QUEUE_PURGE", Layer::kSocket}, {"SECURITY_HOOK", Layer::kSocket},
    // transport: TCP/UDP/ICMP processing and demultiplexing to a socket
    {"TCP_", Layer::kTransport}, {"UDP_", Layer::kTransport}, {"ICMP_", Layer::kTransport},
    {"NO_SOCKET", Layer::kTransport},
    // network: IP, netfilter, routing, fragments, IPsec
    {"NETFILTER_", Layer::kNetwork}, {"IP_", Layer::kNetwork}, {"IPV6", Layer::kNetwork},
    {"OTHERHOST", Layer::kNetwork}, {"XFRM_", Layer::kNetwork}, {"FRAG_", Layer::kNetwork},
    {"DUP_FRAG", Layer::kNetwork}, {"PKT_TOO_BIG", Layer::kNetwork}, {"PKT_TOO_SMALL", Layer::kNetwork},
    {"BPF_CGROUP_", Layer::kNetwork}, {"PSP_", Layer::kNetwork}, {"INVALID_PROTO", Layer::kNetwork},
    // link: devices, queues, traffic control, neighbours, L2 protocols and tunnels' devices
    {"NEIGH_", Layer::kLink}, {"QDISC_", Layer::kLink}, {"TC_", Layer::kLink}, {"FQ_", Layer::kLink},
    {"CAKE_", Layer::kLink}, {"DUALPI2_", Layer::kLink}, {"DEV_", Layer::kLink},
    {"FULL_RING", Layer::kLink}, {"CPU_BACKLOG", Layer::kLink}, {"XDP", Layer::kLink},
    {"TAP_", Layer::kLink}, {"MAC_", Layer::kLink}, {"LOCAL_MAC", Layer::kLink}, {"VXLAN_", Layer::kLink},
    {"BRIDGE_", Layer::kLink}, {"ARP_", Layer::kLink}, {"CAN_", Layer::kLink}, {"CANFD_", Layer::kLink},
    {"CANXL_", Layer::kLink}, {"UNICAST_IN_L2_MULTICAST", Layer::kLink}, {"UNHANDLED_PROTO", Layer::kLink},
    {"NO_TX_TARGET", Layer::kLink}, {"TUNNEL_TXINFO", Layer::kLink}, {"RECURSION_LIMIT", Layer::kLink},
    {"SKB_GSO_SEG", Layer::kLink}, {"SKB_CSUM", Layer::kLink}, {"HDR_TRUNC", Layer::kLink},
    {"PFMEMALLOC", Layer::kLink}, {"NOMEM", Layer::kLink},
}};

}  // namespace

Layer drop_reason_layer(std::string_view reason) noexcept {
  for (const auto& [prefix, layer] : kRules)
    if (reason.substr(0, prefix.size()) == prefix) return layer;
  return Layer::kNetwork;
}

Result<std::map<int64_t, std::string>> load_drop_reason_names() {
  return btf_enum_names("skb_drop_reason", "SKB_DROP_REASON_");
}

std::string drop_reason_name(const std::map<int64_t, std::string>& names, uint32_t slot, uint32_t other_slot) {
  if (slot == other_slot) return "OTHER";
  auto it = names.find(slot);
  return it != names.end() ? it->second : "reason_" + std::to_string(slot);
}

}  // namespace pscope::analyzer
