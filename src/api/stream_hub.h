// Fan-out of live JSON frames to stream subscribers. Frames are shared immutable strings; each
// subscriber owns its own bounded queue (see the WebSocket session), so a slow client never
// blocks the publisher or other clients.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace pscope::api {

using Frame = std::shared_ptr<const std::string>;

class StreamHub {
 public:
  using Subscriber = std::function<void(const Frame&)>;
  uint64_t subscribe(Subscriber s);
  void unsubscribe(uint64_t id);
  // Publishes {"type":type,"ts":<iso8601>,"data":data} to every subscriber.
  void publish(const std::string& type, const nlohmann::json& data);
  size_t subscribers() const;
  // Frames dropped by slow subscribers (drop-oldest), reported in stats.
  void count_dropped(uint64_t n) { dropped_ += n; }
  uint64_t dropped() const { return dropped_; }

 private:
  mutable std::mutex mu_;
  std::map<uint64_t, Subscriber> subs_;
  uint64_t next_ = 1;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace pscope::api
