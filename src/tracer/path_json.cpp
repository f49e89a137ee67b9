// JSON views of decoded paths for the API and `trace --json`.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/hex.h"
#include "tracer/path.h"

namespace pscope::tracer {
namespace {

std::string mac(const std::vector<uint8_t>& b, size_t off) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[off], b[off + 1], b[off + 2], b[off + 3],
                     b[off + 4], b[off + 5]);
}

nlohmann::json flags_json(uint32_t f) {
  nlohmann::json a = nlohmann::json::array();
  if (f & PS_PATH_DROPPED) a.push_back("dropped");
  if (f & PS_PATH_HOPS_OVERFLOW) a.push_back("hops_overflow");
  if (f & PS_PATH_TX_ORIGIN) a.push_back("local_origin");
  if (f & PS_PATH_EXPIRED) a.push_back("expired");
  if (f & PS_PATH_END_IMPLICIT) a.push_back("end_implicit");
  if (f & PS_PATH_END_UNSEEN) a.push_back("end_unseen");
  return a;
}

}  // namespace

nlohmann::json decode_headers_json(const PathRecord& r) {
  nlohmann::json h = nlohmann::json::object();
  const auto& p = r.pkt;
  if ((p.flags & PS_META_L2) && r.bytes.size() >= 14) {
    h["ethernet"] = {{"dst", mac(r.bytes, 0)}, {"src", mac(r.bytes, 6)},
                     {"type", fmt::format("0x{:04x}", (r.bytes[12] << 8) | r.bytes[13])}};
    if (p.vlan) h["ethernet"]["vlan"] = p.vlan;
  }
  if (p.protocol == "arp") {
    h["arp"] = {{"sender_ip", p.src}, {"target_ip", p.dst}};
    return h;
  }
  if (p.src.empty()) return h;
  h["ip"] = {{"version", p.src.find(':') != std::string::npos ? 6 : 4},
             {"src", p.src}, {"dst", p.dst}, {"ttl", p.ttl}, {"length", p.length}};
  nlohmann::json notes = nlohmann::json::array();
  if (p.flags & PS_META_FRAGMENT) notes.push_back("fragment");
  if (p.flags & PS_META_IP_OPTIONS) notes.push_back("ip_options");
  if (p.flags & PS_META_IPV6_EXT) notes.push_back("ipv6_extension_headers");
  if (p.flags & PS_META_TRUNCATED) notes.push_back("truncated");
  if (p.flags & PS_META_MALFORMED) notes.push_back("malformed");
  if (!notes.empty()) h["ip"]["notes"] = notes;
  if (p.protocol == "tcp")
    h["tcp"] = {{"sport", p.sport}, {"dport", p.dport}, {"flags", tcp_flags_text(p.tcp_flags)},
                {"seq", p.tcp_seq}, {"ack", p.tcp_ack}};
  else if (p.protocol == "udp")
    h["udp"] = {{"sport", p.sport}, {"dport", p.dport}};
  else if (p.protocol == "icmp" || p.protocol == "icmpv6")
    h[p.protocol] = {{"type", p.icmp_type}, {"code", p.icmp_code}, {"id", p.sport}};
  return h;
}

nlohmann::json path_summary_json(const PathRecord& r) {
  return {{"id", r.id},
          {"time", clock::iso8601(r.wall_ns)},
          {"direction", r.direction},
          {"protocol", r.pkt.protocol},
          {"src", r.pkt.src},
          {"dst", r.pkt.dst},
          {"sport", r.pkt.sport},
          {"dport", r.pkt.dport},
          {"length", r.pkt.length},
          {"hops", r.hops.size()},
          {"latency_ns", r.latency_ns()},
          {"dropped", r.dropped},
          {"reason", r.dropped ? nlohmann::json(r.reason) : nlohmann::json(nullptr)},
          {"comm", r.comm},
          {"tgid", r.tgid}};
}

nlohmann::json path_detail_json(const PathRecord& r) {
  nlohmann::json j = path_summary_json(r);
  j["location"] = r.location;
  j["flags"] = flags_json(r.flags);
  nlohmann::json hops = nlohmann::json::array();
  for (const auto& h : r.hops)
    hops.push_back({{"hook", hook_name(h.hook)}, {"layer", layer_name(h.layer)}, {"ifindex", h.ifindex},
                    {"netns", h.netns}, {"cpu", h.cpu}, {"t_ns", h.t_ns}, {"dt_ns", h.dt_ns}, {"aux", h.aux}});
  j["hops"] = hops;
  j["headers"] = decode_headers_json(r);
  j["bytes_hex"] = to_hex(r.bytes);
  return j;
}

}  // namespace pscope::tracer
