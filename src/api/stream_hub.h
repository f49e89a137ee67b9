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

#include "tracer/filter.h"

namespace pscope::api {

using Frame = std::shared_ptr<const std::string>;

class StreamHub {
 public:
  using Subscriber = std::function<void(const Frame&)>;
  uint64_t subscribe(Subscriber s);
  void unsubscribe(uint64_t id);
  // "tracer.path" frames are opt-in: a subscriber gets them once it subscribed, and then only
  // for packets its filter matches (nullptr: every packet). subscribed=false stops them.
  void set_path_subscription(uint64_t id, bool subscribed, std::shared_ptr<const tracer::Filter> f = nullptr);
  // Publishes {"type":type,"ts":<iso8601>,"data":data} to every subscriber.
  void publish(const std::string& type, const nlohmann::json& data);
  // Publishes a "tracer.path" frame to the path subscribers whose filter accepts `packet`.
  void publish_path(const nlohmann::json& summary, const tracer::FilterInput& packet);
  size_t subscribers() const;
  size_t path_subscribers() const;
  // Frames dropped by slow subscribers (drop-oldest), reported in stats.
  void count_dropped(uint64_t n) { dropped_ += n; }
  uint64_t dropped() const { return dropped_; }

 private:
  mutable std::mutex mu_;
  struct Entry {
    Subscriber send;
    bool paths = false;
    std::shared_ptr<const tracer::Filter> path_filter;
  };
  static Frame make_frame(const std::string& type, const nlohmann::json& data);
  std::map<uint64_t, Entry> subs_;
  uint64_t next_ = 1;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace pscope::api
