// The filter's back end: evaluating a parsed expression on a packet, its normalised text, and
// the kernel prefilter derived from it (parsing is in filter_parse.cpp).
#include "tracer/filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "tracer/filter_internal.h"

namespace pscope::tracer {
namespace {

using detail::ip_text;
using detail::kProtoNames;
using detail::Node;
using detail::NodeKind;
using detail::Proto;

// True when the first `plen` bits of a and b agree.
bool prefix_eq(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, unsigned plen) {
  for (size_t i = 0; i < 16 && plen > 0; ++i) {
    unsigned bits = plen >= 8 ? 8 : plen;
    auto mask = static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] ^ b[i]) & mask) return false;
    plen -= bits;
  }
  return true;
}

uint32_t proto_bits(Proto p) {
  constexpr uint32_t tcp = 1u << PS_PC_TCP, udp = 1u << PS_PC_UDP, icmp = 1u << PS_PC_ICMP;
  switch (p) {
    case Proto::kTcp: return tcp;
    case Proto::kUdp: return udp;
    case Proto::kIcmp:
    case Proto::kIcmp6: return icmp;
    case Proto::kArp: return 1u << PS_PC_ARP;
    // An IPv4 packet is never ARP or IPV6_OTHER, an IPv6 one never ARP or OTHER.
    case Proto::kIp: return tcp | udp | icmp | (1u << PS_PC_OTHER);
    case Proto::kIp6: return tcp | udp | icmp | (1u << PS_PC_IPV6_OTHER);
  }
  return 0;
}

// ---- evaluation -------------------------------------------------------------------------------

bool is_ip(const FilterInput& in) { return !in.is_arp && (in.family == 4 || in.family == 6); }

bool proto_matches(Proto p, const FilterInput& in) {
  switch (p) {
    case Proto::kTcp: return is_ip(in) && in.l4_proto == IPPROTO_TCP;
    case Proto::kUdp: return is_ip(in) && in.l4_proto == IPPROTO_UDP;
    case Proto::kIcmp: return is_ip(in) && in.family == 4 && in.l4_proto == IPPROTO_ICMP;
    case Proto::kIcmp6: return is_ip(in) && in.family == 6 && in.l4_proto == IPPROTO_ICMPV6;
    case Proto::kArp: return in.is_arp;
    case Proto::kIp: return is_ip(in) && in.family == 4;
    case Proto::kIp6: return is_ip(in) && in.family == 6;
  }
  return false;
}

// ARP carries IPv4 addresses: "host" matches its sender/target IP, as in tcpdump and the kernel.
bool addr_matches(const Node& n, const FilterInput& in) {
  uint8_t family = in.is_arp ? 4 : in.family;
  if (n.family != family) return false;
  if (n.dir != PS_DIR_DST && prefix_eq(in.src, n.addr, n.prefix_len)) return true;
  return n.dir != PS_DIR_SRC && prefix_eq(in.dst, n.addr, n.prefix_len);
}

bool port_matches(const Node& n, const FilterInput& in) {
  if (!is_ip(in) || (in.l4_proto != IPPROTO_TCP && in.l4_proto != IPPROTO_UDP)) return false;
  if (n.dir != PS_DIR_DST && in.sport >= n.lo && in.sport <= n.hi) return true;
  return n.dir != PS_DIR_SRC && in.dport >= n.lo && in.dport <= n.hi;
}

bool is_group(NodeKind k) { return k == NodeKind::kAnd || k == NodeKind::kOr; }

std::string dir_text(uint8_t dir) { return dir == PS_DIR_SRC ? "src " : dir == PS_DIR_DST ? "dst " : ""; }

constexpr uint32_t kAllClasses = (1u << PS_PC_MAX) - 1;

}  // namespace

namespace detail {

std::string ip_text(const std::array<uint8_t, 16>& a, uint8_t family) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, a.data(), buf, sizeof(buf));
  return buf;
}

// Nesting the parser will count when it reads render(i) back: "(" and "not" each add a level,
// and render() adds parentheses around "and" inside "or" that the input may not have had.
int rendered_depth(const std::vector<Node>& nodes, int i) {
  const Node& n = nodes[static_cast<size_t>(i)];
  int deepest = 0;
  for (int k : n.kids) {
    bool parens = is_group(nodes[static_cast<size_t>(k)].kind) && nodes[static_cast<size_t>(k)].kind != n.kind;
    deepest = std::max(deepest, rendered_depth(nodes, k) + (parens ? 1 : 0));
  }
  return n.kind == NodeKind::kNot ? deepest + 1 : deepest;
}

}  // namespace detail

bool Filter::matches(const FilterInput& in) const { return empty() || eval(root_, in); }

bool Filter::eval(int i, const FilterInput& in) const {
  const Node& n = nodes_[static_cast<size_t>(i)];
  auto kid = [&](int k) { return eval(k, in); };
  switch (n.kind) {
    case NodeKind::kAnd: return std::all_of(n.kids.begin(), n.kids.end(), kid);
    case NodeKind::kOr: return std::any_of(n.kids.begin(), n.kids.end(), kid);
    case NodeKind::kNot: return !eval(n.kids[0], in);
    case NodeKind::kProto: return proto_matches(n.proto, in);
    case NodeKind::kAddr: return addr_matches(n, in);
    case NodeKind::kPort: return port_matches(n, in);
    case NodeKind::kDev: return std::find(in.ifindexes.begin(), in.ifindexes.end(), n.id) != in.ifindexes.end();
    case NodeKind::kNetns: return std::find(in.netns.begin(), in.netns.end(), n.id) != in.netns.end();
    case NodeKind::kDrop: return in.dropped;
  }
  return false;
}

std::string Filter::render(int i) const {
  const Node& n = nodes_[static_cast<size_t>(i)];
  switch (n.kind) {
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      std::string out;
      for (int k : n.kids) {
        if (!out.empty()) out += n.kind == NodeKind::kAnd ? " and " : " or ";
        NodeKind kk = nodes_[static_cast<size_t>(k)].kind;
        out += is_group(kk) && kk != n.kind ? "(" + render(k) + ")" : render(k);
      }
      return out;
    }
    case NodeKind::kNot: {
      int k = n.kids[0];
      return is_group(nodes_[static_cast<size_t>(k)].kind) ? "not (" + render(k) + ")" : "not " + render(k);
    }
    case NodeKind::kProto: return std::string(kProtoNames[static_cast<size_t>(n.proto)]);
    case NodeKind::kAddr:
      return dir_text(n.dir) + (n.is_net ? "net " : "host ") + ip_text(n.addr, n.family) +
             (n.is_net ? "/" + std::to_string(n.prefix_len) : "");
    case NodeKind::kPort:
      return dir_text(n.dir) + (n.is_range ? "portrange " + std::to_string(n.lo) + "-" + std::to_string(n.hi)
                                           : "port " + std::to_string(n.lo));
    case NodeKind::kDev: return "dev " + n.name;
    case NodeKind::kNetns: return "netns " + std::to_string(n.id);
    case NodeKind::kDrop: return "drop";
  }
  return {};
}

// The packet classes (bits of enum ps_proto_class) a packet matching node i can have; nullopt
// when any class is possible. Every case must be a superset, or the kernel drops matches.
std::optional<uint32_t> Filter::class_mask(int i) const {
  const Node& n = nodes_[static_cast<size_t>(i)];
  switch (n.kind) {
    case NodeKind::kProto: return proto_bits(n.proto);
    case NodeKind::kPort: return (1u << PS_PC_TCP) | (1u << PS_PC_UDP);  // the kernel checks ports of these only
    case NodeKind::kAddr: return n.family == 4 ? proto_bits(Proto::kIp) | (1u << PS_PC_ARP) : proto_bits(Proto::kIp6);
    case NodeKind::kAnd: {
      std::optional<uint32_t> all;
      for (int k : n.kids)
        if (auto m = class_mask(k)) all = all.value_or(kAllClasses) & *m;
      return all;
    }
    case NodeKind::kOr: {
      uint32_t any = 0;
      for (int k : n.kids) {
        if (auto m = class_mask(k)) any |= *m;
        else return std::nullopt;  // one unconstrained alternative admits every class
      }
      return any;
    }
    // "not icmp" still allows class ICMP (ICMPv6), "not ip" allows TCP (over IPv6): no mask.
    case NodeKind::kNot:
    case NodeKind::kDev:
    case NodeKind::kNetns:
    case NodeKind::kDrop: return std::nullopt;
  }
  return std::nullopt;
}

ps_filter Filter::kernel_prefilter() const {
  ps_filter f{};
  if (empty()) return f;
  f.enabled = 1;
  const Node& root = nodes_[static_cast<size_t>(root_)];
  std::vector<int> terms = root.kind == NodeKind::kAnd ? root.kids : std::vector<int>{root_};
  for (int t : terms) {
    const Node& n = nodes_[static_cast<size_t>(t)];
    if (n.kind == NodeKind::kAddr && f.n_addr < PS_FILTER_MAX_ADDR) {
      ps_filter_addr& a = f.addr[f.n_addr++];
      std::memcpy(a.addr, n.addr.data(), sizeof(a.addr));
      a.family = n.family;
      a.dir = n.dir;
      a.prefix_len = n.prefix_len;
    } else if (n.kind == NodeKind::kPort && f.n_port < PS_FILTER_MAX_PORT) {
      f.port[f.n_port++] = ps_filter_port{n.lo, n.hi, n.dir, {}};
    } else if (n.kind == NodeKind::kDev && f.ifindex == 0) {
      f.ifindex = static_cast<uint32_t>(n.id);  // the kernel tracks one interface; others stay user-side
    } else if (n.kind == NodeKind::kNetns && f.netns == 0) {
      f.netns = static_cast<uint32_t>(n.id);
    } else if (n.kind == NodeKind::kDrop) {
      f.drop_only = 1;
    }
  }
  if (auto m = class_mask(root_); m && *m != kAllClasses) f.proto_mask = *m == 0 ? kProtoMaskNothing : *m;
  return f;
}

}  // namespace pscope::tracer
