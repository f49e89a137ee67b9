// PacketFacts from a stored Tracer packet (tracer::path_detail_json): the captured header bytes
// are parsed again by the XDP parser's twin, which is exact; the decoded "headers" object only
// fills in when no bytes were captured.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guarder/packet_facts.h"

namespace pscope::guarder {
namespace {

std::optional<std::vector<uint8_t>> unhex(const nlohmann::json& j) {
  if (!j.is_string()) return std::nullopt;
  const auto& s = j.get_ref<const std::string&>();
  if (s.size() % 2) return std::nullopt;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<uint8_t> out(s.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nib(s[2 * i]), lo = nib(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

template <class T>
std::optional<T> num(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_integer()) return std::nullopt;
  auto v = it->get<int64_t>();
  if (v < 0 || static_cast<uint64_t>(v) > std::numeric_limits<T>::max()) return std::nullopt;
  return static_cast<T>(v);
}

bool addr(const nlohmann::json& ip, const char* key, uint8_t family, std::array<uint8_t, 16>& out) {
  auto it = ip.find(key);
  return it != ip.end() && it->is_string() &&
         inet_pton(family == 4 ? AF_INET : AF_INET6, it->get<std::string>().c_str(), out.data()) == 1;
}

uint8_t tcp_flags_from_text(const std::string& text) {  // tracer::tcp_flags_text: "SYN|ACK"
  static const char* kNames[8] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  uint8_t f = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t bar = text.find('|', start);
    std::string tok = text.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    for (int i = 0; i < 8; ++i)
      if (tok == kNames[i]) f |= static_cast<uint8_t>(1u << i);
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return f;
}

// No bytes were captured: the decoded headers are all there is. They lack the IP length
// (ip.length is the length at the hook), so length-testing rules see the hook length.
std::optional<PacketFacts> from_headers(const nlohmann::json& h, const std::string& protocol) {
  auto ip = h.find("ip");
  if (ip == h.end() || !ip->is_object()) return std::nullopt;
  PacketFacts p;
  p.family = num<uint8_t>(*ip, "version").value_or(0);
  if ((p.family != 4 && p.family != 6) || !addr(*ip, "src", p.family, p.saddr) ||
      !addr(*ip, "dst", p.family, p.daddr))
    return std::nullopt;
  p.ttl = num<uint8_t>(*ip, "ttl").value_or(0);
  p.length = num<uint16_t>(*ip, "length").value_or(0);
  static const std::pair<const char*, uint8_t> kProtos[] = {
      {"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}};
  p.has_l3 = false;
  for (const auto& [name, number] : kProtos)
    if (protocol == name) p.protocol = number, p.has_l3 = true;
  if (auto l4 = h.find(protocol); l4 != h.end() && l4->is_object()) {
    if (protocol == "tcp" || protocol == "udp") {
      p.sport = num<uint16_t>(*l4, "sport");
      p.dport = num<uint16_t>(*l4, "dport");
    }
    if (protocol == "tcp" && l4->contains("flags") && (*l4)["flags"].is_string())
      p.tcp_flags = tcp_flags_from_text((*l4)["flags"].get<std::string>());
    if (protocol == "icmp" || protocol == "icmpv6") {
      p.icmp_type = num<uint8_t>(*l4, "type");
      p.icmp_code = num<uint8_t>(*l4, "code");
    }
  }
  return p;
}

bool has_note(const nlohmann::json& h, const char* note) {
  auto ip = h.find("ip");
  if (ip == h.end() || !ip->is_object() || !ip->contains("notes")) return false;
  for (const auto& n : (*ip)["notes"])
    if (n == note) return true;
  return false;
}

}  // namespace

std::optional<PacketFacts> facts_from_path_detail(const nlohmann::json& detail) {
  if (!detail.is_object()) return std::nullopt;
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const auto& h = detail.contains("headers") && detail["headers"].is_object() ? detail["headers"] : kEmpty;
  if (!h.contains("ip")) return std::nullopt;  // ARP and other non-IP frames
  uint32_t ifindex = 0;
  if (auto hops = detail.find("hops"); hops != detail.end() && hops->is_array() && !hops->empty())
    ifindex = num<uint32_t>((*hops)[0], "ifindex").value_or(0);

  std::optional<PacketFacts> p;
  auto bytes = detail.contains("bytes_hex") ? unhex(detail["bytes_hex"]) : std::nullopt;
  if (bytes && !bytes->empty()) {
    // The tracer decodes an Ethernet header exactly when its capture starts with one.
    p = parse_packet(*bytes, h.contains("ethernet"), false, ifindex);
  }
  if (!p) {
    auto proto = detail.contains("protocol") && detail["protocol"].is_string()
                     ? detail["protocol"].get<std::string>()
                     : std::string();
    p = from_headers(h, proto);
    if (!p) return std::nullopt;
    p->ifindex = ifindex;
  }
  // A VLAN tag taken off by the NIC is in the tracer's metadata, not in the bytes.
  if (!p->vlan && h.contains("ethernet")) p->vlan = num<uint16_t>(h["ethernet"], "vlan");
  if (has_note(h, "malformed")) p->malformed = true;
  return p;
}

}  // namespace pscope::guarder
