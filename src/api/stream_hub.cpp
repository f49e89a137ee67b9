#include "api/stream_hub.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "core/clock.h"

namespace pscope::api {

uint64_t StreamHub::subscribe(Subscriber s) {
  std::lock_guard lk(mu_);
  uint64_t id = next_++;
  subs_.emplace(id, Entry{std::move(s), false, nullptr});
  return id;
}

void StreamHub::unsubscribe(uint64_t id) {
  std::lock_guard lk(mu_);
  subs_.erase(id);
}

void StreamHub::set_path_subscription(uint64_t id, bool subscribed, std::shared_ptr<const tracer::Filter> f) {
  std::lock_guard lk(mu_);
  if (auto it = subs_.find(id); it != subs_.end()) {
    it->second.paths = subscribed;
    it->second.path_filter = subscribed ? std::move(f) : nullptr;
  }
}

size_t StreamHub::path_subscribers() const {
  std::lock_guard lk(mu_);
  size_t n = 0;
  for (const auto& [id, e] : subs_) n += e.paths;
  return n;
}

size_t StreamHub::subscribers() const {
  std::lock_guard lk(mu_);
  return subs_.size();
}

Frame StreamHub::make_frame(const std::string& type, const nlohmann::json& data) {
  nlohmann::json msg = {{"type", type}, {"ts", clock::iso8601(clock::realtime_ns())}, {"data", data}};
  return std::make_shared<const std::string>(msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void StreamHub::publish(const std::string& type, const nlohmann::json& data) {
  auto frame = make_frame(type, data);
  std::vector<Subscriber> copy;
  {
    std::lock_guard lk(mu_);
    for (const auto& [id, e] : subs_) copy.push_back(e.send);
  }
  for (const auto& s : copy) s(frame);
}

void StreamHub::publish_path(const nlohmann::json& summary, const tracer::FilterInput& packet) {
  std::vector<std::pair<Subscriber, std::shared_ptr<const tracer::Filter>>> copy;
  {
    std::lock_guard lk(mu_);
    for (const auto& [id, e] : subs_)
      if (e.paths) copy.emplace_back(e.send, e.path_filter);
  }
  Frame frame;  // built once, only if someone wants it
  for (const auto& [send, filter] : copy) {
    if (filter && !filter->matches(packet)) continue;
    if (!frame) frame = make_frame("tracer.path", summary);
    send(frame);
  }
}

}  // namespace pscope::api
