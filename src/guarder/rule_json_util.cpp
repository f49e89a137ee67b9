// Typed readers for rule JSON fields; each failure becomes a FieldError with an actionable
// sentence, so the API can show every problem of a rule at once.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <ctime>

#include <fmt/format.h>

#include "core/clock.h"
#include "guarder/rule_json_util.h"

namespace pscope::guarder::detail {

std::string join(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

void refuse_unknown(const nlohmann::json& obj, std::string_view path,
                    const std::vector<std::string_view>& allowed, Errors& e) {
  for (const auto& [key, value] : obj.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (known) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    e.add(join(path, key), fmt::format("is not a known field here; accepted: {}", list));
  }
}

std::optional<int64_t> read_int(const nlohmann::json& j, const std::string& path, int64_t lo,
                                int64_t hi, Errors& e) {
  auto bad = [&] {
    e.add(path, fmt::format("must be an integer from {} to {}", lo, hi));
    return std::nullopt;
  };
  if (!j.is_number_integer()) return bad();
  if (j.is_number_unsigned()) {
    auto u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(hi)) return bad();
    return static_cast<int64_t>(u);
  }
  auto v = j.get<int64_t>();
  if (v < lo || v > hi) return bad();
  return v;
}

std::optional<bool> read_bool(const nlohmann::json& j, const std::string& path, Errors& e) {
  if (!j.is_boolean()) {
    e.add(path, "must be true or false");
    return std::nullopt;
  }
  return j.get<bool>();
}

std::optional<std::string> read_string(const nlohmann::json& j, const std::string& path,
                                       size_t max_bytes, Errors& e) {
  if (!j.is_string()) {
    e.add(path, fmt::format("must be a string of at most {} bytes", max_bytes));
    return std::nullopt;
  }
  auto s = j.get<std::string>();
  if (s.size() > max_bytes) {
    e.add(path, fmt::format("is {} bytes long; at most {} bytes are accepted", s.size(), max_bytes));
    return std::nullopt;
  }
  if (!valid_utf8(s)) {
    e.add(path, "must be valid UTF-8 text");
    return std::nullopt;
  }
  return s;
}

namespace {

std::optional<unsigned> parse_uint(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

Cidr masked(Cidr c) {
  unsigned bits = c.prefix;
  for (unsigned i = 0; i < 16; ++i) {
    if (bits >= 8) {
      bits -= 8;
    } else {
      c.addr[i] &= static_cast<uint8_t>(0xff << (8 - bits));
      bits = 0;
    }
  }
  return c;
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view text, std::string* error) {
  auto fail = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return std::nullopt;
  };
  const char* accepted = "must be an IPv4 or IPv6 address or CIDR, such as 203.0.113.0/24 or "
                         "2001:db8::/32";
  if (text.find('\0') != std::string_view::npos)
    return fail(std::string("contains a NUL character; it ") + accepted);
  auto slash = text.find('/');
  std::string addr(text.substr(0, slash));
  Cidr c;
  if (addr.size() < INET6_ADDRSTRLEN && inet_pton(AF_INET, addr.c_str(), c.addr.data()) == 1) {
    c.family = 4;
  } else if (addr.size() < INET6_ADDRSTRLEN &&
             inet_pton(AF_INET6, addr.c_str(), c.addr.data()) == 1) {
    c.family = 6;  // IPv4-mapped addresses (::ffff:a.b.c.d) stay IPv6 on purpose
  } else {
    return fail(fmt::format("\"{}\" {}", text, accepted));
  }
  unsigned max = c.family == 4 ? 32 : 128;
  c.prefix = static_cast<uint8_t>(max);
  if (slash != std::string_view::npos) {
    auto p = parse_uint(text.substr(slash + 1), max);
    if (!p) return fail(fmt::format("\"{}\" has a bad prefix length; IPv{} accepts /0 to /{}",
                                    text, c.family, max));
    c.prefix = static_cast<uint8_t>(*p);
  }
  Cidr net = masked(c);
  if (net != c)
    return fail(fmt::format("{} has host bits set; did you mean {}?", text, net.str()));
  return c;
}

std::optional<Cidr> read_cidr(const nlohmann::json& j, const std::string& path, Errors& e) {
  if (!j.is_string()) {
    e.add(path, "must be a string: an IPv4 or IPv6 address or CIDR, such as 203.0.113.0/24");
    return std::nullopt;
  }
  std::string err;
  auto c = parse_cidr(j.get<std::string>(), &err);
  if (!c) e.add(path, err);
  return c;
}

std::optional<Range<uint16_t>> read_range16(const nlohmann::json& j, const std::string& path,
                                            uint16_t max, Errors& e) {
  auto bad = [&] {
    e.add(path, fmt::format("must be N or \"A-B\" with 0 <= A <= B <= {}", max));
    return std::nullopt;
  };
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() ? j.get<uint64_t>() > max
                               : (j.get<int64_t>() < 0 || j.get<int64_t>() > max))
      return bad();
    auto v = static_cast<uint16_t>(j.get<int64_t>());
    return Range<uint16_t>{v, v};
  }
  if (!j.is_string()) return bad();
  std::string_view s = j.get_ref<const std::string&>();
  auto dash = s.find('-');
  auto lo = parse_uint(s.substr(0, dash), max);
  auto hi = dash == std::string_view::npos ? lo : parse_uint(s.substr(dash + 1), max);
  if (!lo || !hi || *lo > *hi) return bad();
  return Range<uint16_t>{static_cast<uint16_t>(*lo), static_cast<uint16_t>(*hi)};
}

nlohmann::json range_json(uint32_t lo, uint32_t hi) {
  if (lo == hi) return lo;
  return fmt::format("{}-{}", lo, hi);
}

namespace {
struct ProtoName {
  std::string_view name;
  uint8_t number;
};
constexpr ProtoName kProtocols[] = {{"tcp", 6},  {"udp", 17}, {"icmp", 1}, {"icmpv6", 58},
                                    {"sctp", 132}, {"gre", 47}, {"esp", 50}, {"ah", 51}};
constexpr std::string_view kFlagNames[8] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}
}  // namespace

std::string_view protocol_name(uint8_t p) {
  for (const auto& n : kProtocols)
    if (n.number == p) return n.name;
  return {};
}

std::optional<uint8_t> read_protocol(const nlohmann::json& j, const std::string& path, Errors& e) {
  if (j.is_string()) {
    for (const auto& n : kProtocols)
      if (upper(j.get<std::string>()) == upper(n.name)) return n.number;
  } else if (j.is_number_integer()) {
    if (auto v = read_int(j, path, 0, 255, e)) return static_cast<uint8_t>(*v);
    return std::nullopt;
  }
  e.add(path, "must be tcp, udp, icmp, icmpv6, sctp, gre, esp, ah or a protocol number 0-255");
  return std::nullopt;
}

nlohmann::json protocol_json(uint8_t p) {
  auto n = protocol_name(p);
  if (n.empty()) return p;
  return std::string(n);
}

std::optional<std::pair<uint8_t, uint8_t>> read_tcp_flags(const nlohmann::json& j,
                                                          const std::string& path, Errors& e) {
  if (j.is_object()) {
    size_t before = e.out.size();
    refuse_unknown(j, path, {"bits", "mask"}, e);
    if (!j.contains("bits") || !j.contains("mask")) {
      e.add(path, "needs both \"bits\" and \"mask\" (0-255), e.g. {\"bits\": 2, \"mask\": 18}");
      return std::nullopt;
    }
    auto bits = read_int(j["bits"], join(path, "bits"), 0, 255, e);
    auto mask = read_int(j["mask"], join(path, "mask"), 1, 255, e);
    if (!bits || !mask || e.out.size() != before) return std::nullopt;
    if ((*bits & ~*mask) != 0) {
      e.add(join(path, "bits"), fmt::format("sets flags outside the mask ({} & ~{} != 0); a packet "
                                            "could never match", *bits, *mask));
      return std::nullopt;
    }
    return std::pair{static_cast<uint8_t>(*bits), static_cast<uint8_t>(*mask)};
  }
  auto bad = [&](std::string why) {
    e.add(path, why + "; use a comma list of FIN SYN RST PSH ACK URG ECE CWR, each optionally "
                      "prefixed with ! (must be clear), e.g. \"SYN,!ACK\"");
    return std::nullopt;
  };
  if (!j.is_string()) return bad("must be a string or {\"bits\": N, \"mask\": N}");
  std::string_view s = j.get_ref<const std::string&>();
  uint8_t bits = 0, mask = 0;
  while (true) {
    auto comma = s.find(',');
    auto tok = trim(s.substr(0, comma));
    bool clear = !tok.empty() && tok.front() == '!';
    if (clear) tok.remove_prefix(1);
    int bit = -1;
    for (int i = 0; i < 8; ++i)
      if (upper(tok) == kFlagNames[i]) bit = i;
    if (bit < 0) return bad(fmt::format("\"{}\" is not a TCP flag", tok));
    if (mask & (1u << bit)) return bad(fmt::format("{} is named twice", kFlagNames[bit]));
    mask |= static_cast<uint8_t>(1u << bit);
    if (!clear) bits |= static_cast<uint8_t>(1u << bit);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return std::pair{bits, mask};
}

std::string tcp_flags_text(uint8_t bits, uint8_t mask) {
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (!(mask & (1u << i))) continue;
    if (!out.empty()) out += ',';
    if (!(bits & (1u << i))) out += '!';
    out += kFlagNames[i];
  }
  return out;
}

bool valid_utf8(std::string_view s) noexcept {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 6) {
      n = 1, cp = c & 0x1f;
    } else if ((c >> 4) == 14) {
      n = 2, cp = c & 0x0f;
    } else if ((c >> 3) == 30) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  auto num = [&](size_t pos, size_t len) -> std::optional<int> {
    if (pos + len > s.size()) return std::nullopt;
    auto v = parse_uint(s.substr(pos, len), 9999);
    if (!v || s.substr(pos, len).find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    return static_cast<int>(*v);
  };
  auto Y = num(0, 4), M = num(5, 2), D = num(8, 2), h = num(11, 2), m = num(14, 2),
       sec = num(17, 2);
  if (!Y || !M || !D || !h || !m || !sec || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (*M < 1 || *M > 12 || *D < 1 || *D > 31 || *h > 23 || *m > 59 || *sec > 59)
    return std::nullopt;
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t digits = 0;
    int64_t scale = 100000000;
    for (++pos; pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])); ++pos, ++digits) {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
    }
    if (digits == 0) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int64_t offset_s = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) return std::nullopt;
  } else if (s[pos] == '+' || s[pos] == '-') {
    auto oh = num(pos + 1, 2), om = num(pos + 4, 2);
    if (!oh || !om || pos + 6 != s.size() || s[pos + 3] != ':' || *oh > 23 || *om > 59)
      return std::nullopt;
    offset_s = (*oh * 3600 + *om * 60) * (s[pos] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  tm t{};
  t.tm_year = *Y - 1900;
  t.tm_mon = *M - 1;
  t.tm_mday = *D;
  t.tm_hour = *h;
  t.tm_min = *m;
  t.tm_sec = *sec;
  time_t secs = timegm(&t);
  if (t.tm_mday != *D) return std::nullopt;  // timegm normalised an impossible date (Feb 30)
  return (static_cast<int64_t>(secs) - offset_s) * 1000000000LL + frac_ns;
}

nlohmann::json time_json(int64_t ns) {
  if (ns == 0) return nullptr;
  return clock::iso8601(ns);
}

}  // namespace pscope::guarder::detail
