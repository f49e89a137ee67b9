// Decoded per-packet paths: what the kernel's ps_path_event says, in readable form, plus the
// pure helpers that name hooks, place them in stack layers and render timelines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ps/path_abi.h"
#include "tracer/decode.h"

namespace pscope::tracer {

enum class Layer { kLink, kNetwork, kTransport, kSocket };

std::string_view hook_name(uint16_t hook);
Layer hook_layer(uint16_t hook);
std::string_view layer_name(Layer l);

struct Hop {
  uint16_t hook = 0;
  int64_t t_ns = 0;   // since the first hop
  int64_t dt_ns = 0;  // since the previous hop
  uint32_t ifindex = 0;
  uint32_t netns = 0;
  uint32_t cpu = 0;
  uint16_t aux = 0;
  Layer layer = Layer::kLink;  // end-of-life hops take the layer the packet was in
};

struct PathRecord {
  int64_t id = 0;          // storage id (0 until stored)
  int64_t wall_ns = 0;     // wall-clock time of the first hop
  std::string direction;   // rx (arrived from a device), tx (local origin), fwd (in and out)
  PacketSummary pkt;
  std::vector<Hop> hops;
  bool dropped = false;
  std::string reason;      // drop reason name when dropped
  std::string location;    // kernel symbol of the freeing call
  uint32_t tgid = 0;
  std::string comm;
  uint32_t flags = 0;      // enum ps_path_flags
  std::vector<uint8_t> bytes;
  int64_t latency_ns() const { return hops.empty() ? 0 : hops.back().t_ns; }
};

// Names injected so decoding stays pure (the Tracer resolves them from BTF and kallsyms).
struct Namer {
  virtual ~Namer() = default;
  virtual std::string drop_reason(uint32_t code) const = 0;
  virtual std::string symbol(uint64_t addr) const = 0;
};

PathRecord decode_path(const ps_path_event& ev, int64_t mono_to_wall_offset_ns, const Namer& names);

// One-line summary and a multi-line timeline for the CLI.
std::string summary_line(const PathRecord& r);
std::string timeline(const PathRecord& r);
// Comment stored with the packet in pcapng files.
std::string pcap_comment(const PathRecord& r);

nlohmann::json path_summary_json(const PathRecord& r);
nlohmann::json path_detail_json(const PathRecord& r);  // + hops, decoded headers, bytes_hex
nlohmann::json decode_headers_json(const PathRecord& r);

}  // namespace pscope::tracer
