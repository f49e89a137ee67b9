// The filter language's front end: tokenizer, recursive-descent parser with messages that name
// a column, and Filter::parse (the grammar is in filter.h; evaluation is in filter.cpp).
#include "tracer/filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>

#include "tracer/filter_internal.h"

namespace pscope::tracer {
namespace {

using detail::ip_text;
using detail::kProtoNames;
using detail::Node;
using detail::NodeKind;
using detail::Proto;

enum class Tok : uint8_t { kWord, kLParen, kRParen, kNot, kAnd, kOr, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  int col = 0;  // 1-based
};

constexpr size_t kIfNameMax = 15;  // IFNAMSIZ - 1

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Hostile input can be 1024 characters of one word: messages show at most 40 of them.
std::string clip(std::string_view s) { return s.size() > 40 ? std::string(s.substr(0, 40)) + "..." : std::string(s); }
std::string quote(std::string_view s) { return "'" + clip(s) + "'"; }

std::string describe(const Token& t) { return t.kind == Tok::kEnd ? "end of expression" : quote(t.text); }

tl::unexpected<Error> error_at(int col, const std::string& msg) {
  return fail("filter: column " + std::to_string(col) + ": " + msg);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
// NUL and other control bytes end a word and are then rejected: std::strchr would treat NUL as a
// delimiter that no branch consumes, and the tokenizer would spin on an empty word.
bool is_control(char c) { return (static_cast<unsigned char>(c) < 0x20 && !is_space(c)) || c == 0x7f; }
bool is_delim(char c) { return is_space(c) || is_control(c) || std::string_view("()!&|").find(c) != std::string_view::npos; }
bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits only; nullopt when not a number, UINT64_MAX when too large for 64 bits.
std::optional<uint64_t> number(std::string_view s) {
  if (!is_digits(s)) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) return std::numeric_limits<uint64_t>::max();
  return v;
}

Result<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    int col = static_cast<int>(i) + 1;
    if (is_space(c)) {
      ++i;
    } else if (is_control(c)) {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02x", static_cast<unsigned char>(c));
      return error_at(col, std::string("unexpected control character ") + hex + "; filters are plain text");
    } else if (c == '(' || c == ')' || c == '!') {
      out.push_back({c == '(' ? Tok::kLParen : c == ')' ? Tok::kRParen : Tok::kNot, s.substr(i, 1), col});
      ++i;
    } else if (c == '&' || c == '|') {
      if (i + 1 >= s.size() || s[i + 1] != c)
        return error_at(col, std::string("'") + c + "' is not an operator; use '" + (c == '&' ? "and' or '&&'" : "or' or '||'"));
      out.push_back({c == '&' ? Tok::kAnd : Tok::kOr, s.substr(i, 2), col});
      i += 2;
    } else {
      size_t j = i;
      while (j < s.size() && !is_delim(s[j])) ++j;
      std::string_view w = s.substr(i, j - i);
      std::string lw = lower(w);
      Tok k = lw == "and" ? Tok::kAnd : lw == "or" ? Tok::kOr : lw == "not" ? Tok::kNot : Tok::kWord;
      out.push_back({k, w, col});
      i = j;
    }
  }
  out.push_back({Tok::kEnd, {}, static_cast<int>(s.size()) + 1});
  return out;
}

// Optimal string alignment distance (an adjacent transposition counts as one edit).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

constexpr std::string_view kKeywords[] = {"tcp", "udp",  "icmp", "icmp6", "arp",       "ip",  "ip6",
                                          "host", "net", "port", "portrange", "src", "dst", "dev",
                                          "netns", "drop", "and", "or", "not"};

bool parse_ip(std::string_view text, std::array<uint8_t, 16>& out, uint8_t& family) {
  std::string s(text);
  out.fill(0);
  family = inet_pton(AF_INET, s.c_str(), out.data()) == 1 ? 4 : inet_pton(AF_INET6, s.c_str(), out.data()) == 1 ? 6 : 0;
  if (family == 0) out.fill(0);
  return family != 0;
}

std::array<uint8_t, 16> masked(std::array<uint8_t, 16> a, unsigned plen) {
  for (size_t i = 0; i < 16; ++i) {
    unsigned bits = plen >= 8 ? 8 : plen;
    a[i] = static_cast<uint8_t>(a[i] & (0xff << (8 - bits)));
    plen -= bits;
  }
  return a;
}

class Parser {
 public:
  Parser(std::vector<Token> toks, const IfResolver& resolve, std::vector<Node>& nodes)
      : toks_(std::move(toks)), resolve_(resolve), nodes_(nodes) {}

  Result<int> parse() {
    auto root = expr(0);
    if (!root) return root;
    const Token& t = peek();
    if (t.kind == Tok::kRParen) return error_at(t.col, "unmatched ')'");
    if (t.kind != Tok::kEnd)
      return error_at(t.col, "expected 'and' or 'or' before " + describe(t) + "; primitives must be joined by an operator");
    return root;
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  const Token& next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  const Token& peek_at(size_t k) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  std::string peek_word(size_t k) const { return peek_at(k).kind == Tok::kWord ? lower(peek_at(k).text) : ""; }

  // True when a "[src|dst] port|portrange" term comes next.
  bool port_follows() const {
    auto is_port = [](const std::string& w) { return w == "port" || w == "portrange"; };
    std::string w = peek_word(0);
    return is_port(w) || ((w == "src" || w == "dst") && is_port(peek_word(1)));
  }

  int add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }
  int add(NodeKind kind, uint64_t id = 0) {
    Node n;
    n.kind = kind;
    n.id = id;
    return add(std::move(n));
  }

  // Joins operands of one operator, splicing in operands that are already the same operator.
  int combine(NodeKind k, const std::vector<int>& parts) {
    if (parts.size() == 1) return parts[0];
    Node n;
    n.kind = k;
    for (int p : parts) {
      if (nodes_[static_cast<size_t>(p)].kind == k) {
        const auto& kids = nodes_[static_cast<size_t>(p)].kids;
        n.kids.insert(n.kids.end(), kids.begin(), kids.end());
      } else {
        n.kids.push_back(p);
      }
    }
    return add(std::move(n));
  }

  Result<int> expr(int depth) { return chain(depth, Tok::kOr); }

  // expr := and_expr {or and_expr}; and_expr := unary {and unary}.
  Result<int> chain(int depth, Tok op) {
    std::vector<int> parts;
    for (;;) {
      auto a = op == Tok::kOr ? chain(depth, Tok::kAnd) : unary(depth);
      if (!a) return a;
      parts.push_back(*a);
      if (peek().kind != op) break;
      prev_ = next();
    }
    return combine(op == Tok::kOr ? NodeKind::kOr : NodeKind::kAnd, parts);
  }

  Result<int> unary(int depth) {
    const Token& t = peek();
    if (t.kind == Tok::kNot || t.kind == Tok::kLParen) {
      if (depth + 1 > kFilterMaxDepth)
        return error_at(t.col, "expression nested deeper than " + std::to_string(kFilterMaxDepth) + " levels");
      Token open = next();
      prev_ = open;
      if (open.kind == Tok::kNot) {
        auto kid = unary(depth + 1);
        if (!kid) return kid;
        int n = add(NodeKind::kNot);
        nodes_.back().kids.push_back(*kid);
        return n;
      }
      auto inner = expr(depth + 1);
      if (!inner) return inner;
      const Token& close = peek();
      if (close.kind == Tok::kEnd) return error_at(open.col, "'(' is never closed");
      if (close.kind != Tok::kRParen)
        return error_at(close.col, "expected 'and', 'or' or ')' before " + describe(close) +
                                       "; primitives must be joined by an operator");
      prev_ = next();
      return inner;
    }
    return primitive();
  }

  std::string after() const { return prev_.kind == Tok::kEnd ? "" : " after " + quote(prev_.text); }

  // The value token after keyword `kw` (e.g. the address after "host").
  Result<Token> value(const std::string& kw, const std::string& what) {
    const Token& v = peek();
    if (v.kind != Tok::kWord)
      return error_at(v.col, "expected " + what + " after '" + kw + "', got " + describe(v));
    return next();
  }

  Result<int> primitive() {
    const Token t = peek();
    if (t.kind != Tok::kWord) return error_at(t.col, "expected a primitive" + after() + ", got " + describe(t));
    next();
    if (++primitives_ > kFilterMaxPrimitives)
      return error_at(t.col, "too many primitives (the limit is " + std::to_string(kFilterMaxPrimitives) + ")");
    std::string w = lower(t.text);
    uint8_t dir = PS_DIR_ANY;
    std::string kw = w;  // the keyword as quoted in messages, e.g. "dst port"
    if (w == "src" || w == "dst") {
      dir = w == "src" ? PS_DIR_SRC : PS_DIR_DST;
      const Token& k = peek();
      std::string kl = k.kind == Tok::kWord ? lower(k.text) : "";
      if (kl == "host" || kl == "net" || kl == "port" || kl == "portrange") {
        next();
        w = kl;
        kw += " " + kl;
      } else {
        // Shorthand: "src 10.0.0.1" (a host) or "src 10.0.0.0/8" (a network).
        std::array<uint8_t, 16> a{};
        uint8_t fam = 0;
        bool addr_like = parse_ip(k.text, a, fam) || k.text.find_first_of("/%") != std::string_view::npos;
        if (k.kind == Tok::kWord && addr_like) {
          next();
          return address(k, dir, kw, k.text.find('/') != std::string_view::npos);
        }
        return error_at(k.col, "expected 'host', 'net', 'port', 'portrange' or an address after '" + w + "', got " +
                                   describe(k));
      }
    }
    for (size_t i = 0; i < std::size(kProtoNames); ++i)
      if (w == kProtoNames[i] && dir == PS_DIR_ANY) {
        int proto = add(NodeKind::kProto);
        nodes_.back().proto = static_cast<Proto>(i);
        // tcpdump's "tcp port 80": one primitive meaning "tcp and port 80", so "not tcp port 80"
        // negates both. Only tcp/udp before a port term; other juxtapositions stay errors.
        if ((i != static_cast<size_t>(Proto::kTcp) && i != static_cast<size_t>(Proto::kUdp)) || !port_follows())
          return proto;
        auto p = primitive();
        if (!p) return p;
        return combine(NodeKind::kAnd, {proto, *p});
      }
    if (w == "drop") return add(NodeKind::kDrop);
    if (w == "host") {
      auto v = value(kw, "an address");
      if (!v) return tl::unexpected(v.error());
      if (v->text.find('/') != std::string_view::npos)
        return error_at(v->col, "expected an address after '" + kw + "', got " + quote(v->text) + " (use 'net' for a prefix)");
      return address(*v, dir, kw, false);
    }
    if (w == "net") {
      auto v = value(kw, "a network such as 10.0.0.0/8");
      if (!v) return tl::unexpected(v.error());
      return address(*v, dir, kw, true);
    }
    if (w == "port" || w == "portrange") return port(kw, dir, w == "portrange");
    if (w == "dev") return dev();
    if (w == "netns") {
      auto v = value(kw, "a network namespace inode number");
      if (!v) return tl::unexpected(v.error());
      auto id = number(v->text);
      if (!id) return error_at(v->col, "expected a network namespace inode number after 'netns', got " + quote(v->text));
      if (*id == 0 || *id > std::numeric_limits<uint32_t>::max())
        return error_at(v->col, "netns " + clip(v->text) + " is out of range 1-4294967295");
      return add(NodeKind::kNetns, *id);
    }
    return unknown(t);
  }

  Result<int> address(const Token& v, uint8_t dir, const std::string& kw, bool net) {
    std::string_view text = v.text;
    std::string_view len_text;
    bool has_len = false;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
      len_text = text.substr(slash + 1);
      text = text.substr(0, slash);
      has_len = true;
    }
    Node n;
    n.kind = NodeKind::kAddr;
    n.dir = dir;
    n.is_net = net;
    if (auto pct = text.find('%'); pct != std::string_view::npos)
      return error_at(v.col, "IPv6 zone " + quote(text.substr(pct)) + " is not supported in " + quote(v.text) +
                                 "; remove it and add 'and dev " + clip(text.substr(pct + 1)) + "'");
    if (!parse_ip(text, n.addr, n.family))
      return error_at(v.col, std::string("expected ") + (net ? "a network such as 10.0.0.0/8" : "an IPv4 or IPv6 address") +
                                 " after '" + kw + "', got " + quote(v.text));
    unsigned max = n.family == 4 ? 32 : 128;
    n.prefix_len = static_cast<uint8_t>(max);
    if (has_len) {
      auto plen = number(len_text);
      if (!plen)
        return error_at(v.col, "expected a prefix length after '/' in " + quote(v.text) + ", got " + quote(len_text));
      if (*plen > max)
        return error_at(v.col, "prefix length " + clip(len_text) + " is out of range 0-" + std::to_string(max) +
                                   " for IPv" + std::to_string(n.family));
      n.prefix_len = static_cast<uint8_t>(*plen);
      auto net_part = masked(n.addr, n.prefix_len);
      if (net_part != n.addr)
        return error_at(v.col, kw + " " + clip(v.text) + " has non-network bits set (did you mean " +
                                   ip_text(net_part, n.family) + "/" + std::to_string(n.prefix_len) + "?)");
    }
    return add(std::move(n));
  }

  // A port number in [0, 65535] from `text`, or the error to report at `col`.
  Result<uint16_t> port_number(std::string_view text, int col, const std::string& expected) {
    auto v = number(text);
    if (!v) return error_at(col, expected);
    if (*v > 65535) return error_at(col, "port " + clip(text) + " is out of range 0-65535");
    return static_cast<uint16_t>(*v);
  }

  Result<int> port(const std::string& kw, uint8_t dir, bool range) {
    auto v = value(kw, range ? "a port range A-B" : "a port number");
    if (!v) return tl::unexpected(v.error());
    std::string bad = std::string("expected ") + (range ? "a port range A-B" : "a port number") + " after '" + kw +
                      "', got " + quote(v->text);
    std::string_view lo_text = v->text, hi_text = v->text;
    if (range) {
      auto dash = v->text.find('-');
      if (dash == std::string_view::npos) return error_at(v->col, bad);
      lo_text = v->text.substr(0, dash);
      hi_text = v->text.substr(dash + 1);
    }
    auto lo = port_number(lo_text, v->col, bad);
    if (!lo) return tl::unexpected(lo.error());
    auto hi = port_number(hi_text, v->col, bad);
    if (!hi) return tl::unexpected(hi.error());
    if (*lo > *hi)
      return error_at(v->col, "portrange " + clip(v->text) + " is reversed: " + std::to_string(*lo) +
                                  " is greater than " + std::to_string(*hi));
    Node n;
    n.kind = NodeKind::kPort;
    n.dir = dir;
    n.is_range = range;
    n.lo = *lo;
    n.hi = *hi;
    return add(std::move(n));
  }

  Result<int> dev() {
    auto v = value("dev", "an interface name or index");
    if (!v) return tl::unexpected(v.error());
    Node n;
    n.kind = NodeKind::kDev;
    if (auto idx = number(v->text)) {
      if (*idx == 0 || *idx > std::numeric_limits<uint32_t>::max())
        return error_at(v->col, "interface index " + clip(v->text) + " is out of range 1-4294967295");
      n.id = *idx;
      n.name = std::to_string(*idx);
      return add(std::move(n));
    }
    if (v->text.size() > kIfNameMax)
      return error_at(v->col, "interface name " + quote(v->text) + " is longer than " + std::to_string(kIfNameMax) +
                                  " characters");
    if (!resolve_)
      return error_at(v->col, "cannot resolve interface " + quote(v->text) + " here; give its index instead");
    auto idx = resolve_(v->text);
    if (!idx || *idx == 0) return error_at(v->col, "unknown interface " + quote(v->text));
    n.id = *idx;
    n.name = std::string(v->text);
    return add(std::move(n));
  }

  Result<int> unknown(const Token& t) {
    std::string w = lower(t.text);
    std::array<uint8_t, 16> a{};
    uint8_t fam = 0;
    std::string hint;
    if (parse_ip(t.text, a, fam)) {
      hint = " (did you mean 'host " + clip(t.text) + "'?)";
    } else if (auto slash = t.text.find('/'); slash != std::string_view::npos && parse_ip(t.text.substr(0, slash), a, fam)) {
      hint = " (did you mean 'net " + clip(t.text) + "'?)";
    } else if (is_digits(t.text)) {
      hint = " (did you mean 'port " + clip(t.text) + "'?)";
    } else {
      std::string_view best;
      size_t best_d = std::numeric_limits<size_t>::max();
      for (auto k : kKeywords) {
        size_t d = edit_distance(w, k);
        if (d < best_d) best_d = d, best = k;
      }
      size_t allowed = w.size() <= 3 ? 1 : 2;
      if (best_d <= allowed && best_d < w.size())
        hint = " (did you mean '" + std::string(best) + "'?)";
      else
        hint = " (primitives: tcp udp icmp icmp6 arp ip ip6 host net port portrange dev netns drop)";
    }
    return error_at(t.col, "unknown word " + quote(t.text) + hint);
  }

  std::vector<Token> toks_;
  const IfResolver& resolve_;
  std::vector<Node>& nodes_;
  size_t pos_ = 0;
  Token prev_;
  int primitives_ = 0;
};

}  // namespace

Result<Filter> Filter::parse(std::string_view expr, IfResolver resolve) {
  const std::string limit = "; the limit is " + std::to_string(kFilterMaxLength);
  if (expr.size() > kFilterMaxLength)
    return error_at(static_cast<int>(kFilterMaxLength) + 1,
                    "expression is " + std::to_string(expr.size()) + " characters long" + limit);
  auto toks = tokenize(expr);
  if (!toks) return tl::unexpected(toks.error());
  Filter f;
  if (toks->size() == 1) return f;  // blank: matches everything
  Parser parser(std::move(*toks), resolve, f.nodes_);
  auto root = parser.parse();
  if (!root) return tl::unexpected(root.error());
  f.root_ = *root;
  f.text_ = f.render(f.root_);
  // text() must parse back: normalising can lengthen the text ("&&" -> " and ") and group it.
  if (f.text_.size() > kFilterMaxLength)
    return error_at(1, "expression is " + std::to_string(f.text_.size()) + " characters long once normalised" + limit);
  if (detail::rendered_depth(f.nodes_, f.root_) > kFilterMaxDepth)
    return error_at(1, "expression nested deeper than " + std::to_string(kFilterMaxDepth) +
                           " levels once 'and' inside 'or' is parenthesised; remove a level of nesting");
  return f;
}

}  // namespace pscope::tracer
