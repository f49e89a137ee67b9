// Guarder answer shapes (see guard_json.h). Times are RFC 3339; a time never seen is null.
#include "api/guard_json.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/hex.h"
#include "tracer/decode.h"

namespace pscope::api {
namespace {

nlohmann::json time_or_null(int64_t ns) { return ns > 0 ? nlohmann::json(clock::iso8601(ns)) : nlohmann::json(); }

std::string proto_name(uint8_t p) {
  switch (p) {
    case IPPROTO_TCP: return "tcp";
    case IPPROTO_UDP: return "udp";
    case IPPROTO_ICMP: return "icmp";
    case IPPROTO_ICMPV6: return "icmpv6";
    case IPPROTO_SCTP: return "sctp";
    case IPPROTO_GRE: return "gre";
    case IPPROTO_ESP: return "esp";
    case IPPROTO_AH: return "ah";
    default: return "proto " + std::to_string(p);
  }
}

std::string endpoint(const std::string& addr, uint16_t port, bool with_port) {
  if (!with_port) return addr;
  return addr.find(':') != std::string::npos ? fmt::format("[{}]:{}", addr, port) : fmt::format("{}:{}", addr, port);
}

uint16_t be16(std::span<const uint8_t> b, size_t off) { return static_cast<uint16_t>(b[off] << 8 | b[off + 1]); }

// The L4 part of a summary; `l4` starts at the transport header.
std::string l4_summary(uint8_t proto, const std::string& src, const std::string& dst, std::span<const uint8_t> l4) {
  std::string name = proto_name(proto);
  bool ports = proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
  if (ports && l4.size() >= 4) {
    std::string s = fmt::format("{} {} > {}", name, endpoint(src, be16(l4, 0), true), endpoint(dst, be16(l4, 2), true));
    if (proto == IPPROTO_TCP && l4.size() >= 14) s += " [" + tracer::tcp_flags_text(l4[13]) + "]";
    return s;
  }
  if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && l4.size() >= 2)
    return fmt::format("{} {} > {} type {} code {}", name, src, dst, l4[0], l4[1]);
  return fmt::format("{} {} > {}{}", name, src, dst, ports ? " (header cut short)" : "");
}

std::string ip_text(int af, const uint8_t* a) {
  char buf[INET6_ADDRSTRLEN] = {};
  return inet_ntop(af, a, buf, sizeof(buf)) ? buf : "?";
}

}  // namespace

nlohmann::json to_json(const guarder::RuleCounters& c) {
  return {{"packets", c.packets}, {"bytes", c.bytes}, {"rate_dropped", c.rate_dropped},
          {"last_hit", time_or_null(c.last_hit_ns)}};
}

nlohmann::json rule_view_json(const GuardRuleView& v) {
  auto j = guarder::to_json(v.rule);
  j["counters"] = to_json(v.counters);
  return j;
}

nlohmann::json counters_json(const std::unordered_map<uint32_t, guarder::RuleCounters>& m, int64_t ts_ns) {
  nlohmann::json items = nlohmann::json::object();
  for (const auto& [id, c] : m) items[std::to_string(id)] = to_json(c);
  return {{"ts", clock::iso8601(ts_ns)}, {"items", items}};
}

nlohmann::json to_json(const guarder::Attachment& a) {
  return {{"ifname", a.ifname}, {"ifindex", a.ifindex}, {"mode", a.mode == guarder::XdpMode::kGeneric ? "generic" : "native"}};
}

nlohmann::json to_json(const guarder::ApplyReport& r) {
  return {{"rules", r.rules},     {"lists", r.lists},           {"items", r.items},
          {"longest_list", r.longest_list}, {"generation", r.generation}, {"compile_ms", r.compile_ms},
          {"write_ms", r.write_ms}};
}

nlohmann::json stats_json(const GuardStatsView& v) {
  const auto& s = v.stats;
  nlohmann::json att = nlohmann::json::array();
  for (const auto& a : v.attachments) att.push_back(to_json(a));
  return {{"packets", s.packets},
          {"bytes", s.bytes},
          {"passed", s.passed},
          {"dropped", s.dropped},
          {"rate_dropped", s.rate_dropped},
          {"malformed", s.malformed},
          {"non_ip", s.non_ip},
          {"log_sent", s.log_sent},
          {"log_lost", s.log_lost},
          {"hits_overflow", s.hits_overflow},
          {"flows_full", s.flows_full},
          {"live_rules", s.live_rules},
          {"generation", s.generation},
          {"attachments", att},
          {"last_apply", v.last_apply ? to_json(*v.last_apply) : nlohmann::json()}};
}

std::string flow_summary(const guarder::XdpFlow& f, const std::string& ifname) {
  bool ports = f.protocol == IPPROTO_TCP || f.protocol == IPPROTO_UDP || f.protocol == IPPROTO_SCTP;
  std::string s = fmt::format("{} {} > {}", proto_name(f.protocol), endpoint(f.src, f.sport, ports),
                              endpoint(f.dst, f.dport, ports));
  if (f.protocol == IPPROTO_ICMP || f.protocol == IPPROTO_ICMPV6)
    s += fmt::format(" type {} code {}", f.sport >> 8, f.sport & 0xff);
  if (!ifname.empty()) s += " " + ifname;
  return s;
}

nlohmann::json flow_json(const guarder::XdpFlow& f, const IfnameOf& ifname_of) {
  return {{"ifindex", f.ifindex},
          {"ifname", ifname_of(f.ifindex)},
          {"family", f.family},
          {"protocol", proto_name(f.protocol)},
          {"src", f.src},
          {"sport", f.sport},
          {"dst", f.dst},
          {"dport", f.dport},
          {"packets", f.packets},
          {"bytes", f.bytes},
          {"dropped", f.dropped},
          {"tcp_flags", tracer::tcp_flags_text(f.tcp_flags)},
          {"first_seen", time_or_null(f.first_ns)},
          {"last_seen", time_or_null(f.last_ns)}};
}

nlohmann::json log_json(const guarder::LogSample& s) {
  return {{"time", clock::iso8601(s.ts_ns)}, {"rule_id", s.rule_id},   {"ifindex", s.ifindex},
          {"length", s.pkt_len},              {"dropped", s.dropped},   {"summary", summarize_frame(s.bytes)},
          {"bytes_hex", to_hex(s.bytes)}};
}

nlohmann::json audit_json(const store::AuditEntry& e) {
  // detail is JSON written by the daemon; older or foreign entries may hold plain text.
  auto detail = nlohmann::json::parse(e.detail, nullptr, false);
  if (detail.is_discarded()) detail = e.detail;
  return {{"id", e.id},         {"time", clock::iso8601(e.ts_ns)}, {"actor", e.actor},
          {"action", e.action}, {"object", e.object},              {"detail", detail}};
}

nlohmann::json dry_run_json(const DryRunResult& r) {
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : r.samples)
    samples.push_back({{"source", s.source}, {"time", clock::iso8601(s.ts_ns)}, {"summary", s.summary}});
  return {{"examined_packets", r.examined_packets}, {"matched_packets", r.matched_packets},
          {"examined_flows", r.examined_flows},     {"matched_flows", r.matched_flows},
          {"truncated", r.truncated},               {"cap", r.cap},
          {"notes", r.notes},                       {"samples", samples}};
}

nlohmann::json field_errors_json(const std::vector<guarder::FieldError>& fields) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& f : fields) a.push_back({{"field", f.field}, {"message", f.message}});
  return a;
}

std::string summarize_frame(std::span<const uint8_t> b) {
  if (b.size() < 14) return "frame cut short (" + std::to_string(b.size()) + " bytes)";
  size_t off = 12;
  uint16_t type = be16(b, off);
  std::string vlan;
  for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; ++tags) {
    if (b.size() < off + 6) return "VLAN header cut short";
    vlan = fmt::format(" vlan {}", be16(b, off + 2) & 0x0fff);
    off += 4;
    type = be16(b, off);
  }
  off += 2;
  if (type == 0x0800) {
    if (b.size() < off + 20) return "ipv4 header cut short" + vlan;
    size_t ihl = static_cast<size_t>(b[off] & 0x0f) * 4;
    if (ihl < 20) return "ipv4 with a bad header length" + vlan;
    auto src = ip_text(AF_INET, &b[off + 12]), dst = ip_text(AF_INET, &b[off + 16]);
    bool later_fragment = (be16(b, off + 6) & 0x1fff) != 0;
    if (b.size() < off + ihl || later_fragment) return proto_name(b[off + 9]) + " " + src + " > " + dst + vlan;
    return l4_summary(b[off + 9], src, dst, b.subspan(off + ihl)) + vlan;
  }
  if (type == 0x86dd) {
    if (b.size() < off + 40) return "ipv6 header cut short" + vlan;
    auto src = ip_text(AF_INET6, &b[off + 8]), dst = ip_text(AF_INET6, &b[off + 24]);
    uint8_t next = b[off + 6];
    size_t l4 = off + 40;
    // Hop-by-hop, routing and destination options: skip a few; anything else is the payload.
    for (int i = 0; i < 4 && (next == 0 || next == 43 || next == 60) && b.size() >= l4 + 8; ++i) {
      next = b[l4];
      l4 += (static_cast<size_t>(b[l4 + 1]) + 1) * 8;
    }
    if (b.size() < l4) return proto_name(next) + " " + src + " > " + dst + vlan;
    return l4_summary(next, src, dst, b.subspan(l4)) + vlan;
  }
  return fmt::format("ethertype 0x{:04x}{}", type, vlan);
}

}  // namespace pscope::api
