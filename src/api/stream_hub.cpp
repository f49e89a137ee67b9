#include "api/stream_hub.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "core/clock.h"

namespace pscope::api {

uint64_t StreamHub::subscribe(Subscriber s) {
  std::lock_guard lk(mu_);
  uint64_t id = next_++;
  subs_.emplace(id, std::move(s));
  return id;
}

void StreamHub::unsubscribe(uint64_t id) {
  std::lock_guard lk(mu_);
  subs_.erase(id);
}

size_t StreamHub::subscribers() const {
  std::lock_guard lk(mu_);
  return subs_.size();
}

void StreamHub::publish(const std::string& type, const nlohmann::json& data) {
  nlohmann::json msg = {{"type", type}, {"ts", clock::iso8601(clock::realtime_ns())}, {"data", data}};
  auto frame = std::make_shared<const std::string>(
      msg.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::vector<Subscriber> copy;
  {
    std::lock_guard lk(mu_);
    for (const auto& [id, s] : subs_) copy.push_back(s);
  }
  for (const auto& s : copy) s(frame);
}

}  // namespace pscope::api
