// Seeded random rules and packets for the Guarder parity test: every packet is built twice, as
// a frame (PacketBuilder) and as the PacketFacts the reference matcher (guarder::evaluate)
// reads, from one description, so the kernel and the reference judge the same thing. Addresses
// and ports come from small nested pools so that most packets hit several rules.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "guarder/matcher.h"
#include "guarder/rule.h"
#include "packet_builder.h"

namespace pscope::testing::guard {

struct CorpusPacket {
  Bytes frame;
  guarder::PacketFacts facts;
  std::string text;  // one line, for mismatch reports
};

class Corpus {
 public:
  explicit Corpus(std::uint32_t seed) : rng_(seed) {}

  // `n` rules with ids first_id.., mixing every field, group, action and priority. Rate limits
  // are generous (never reached), a few rules are disabled or already expired.
  std::vector<guarder::Rule> rules(std::size_t n, std::uint32_t first_id, std::int64_t now_ns);
  CorpusPacket packet();

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  template <class T>
  const T& any(const std::vector<T>& v) { return v[pick(v.size())]; }

  guarder::Cidr prefix(std::uint8_t family, bool src);
  std::string address_in(std::uint8_t family, bool src);  // an address, often in a pool prefix
  void fill_l4(guarder::Match& m, std::uint8_t family);
  guarder::Rule rule(std::uint32_t id, std::int64_t now_ns);

  std::mt19937 rng_;
};

// Text of a rule, compact (for mismatch reports).
std::string rule_text(const guarder::Rule& r);

}  // namespace pscope::testing::guard
