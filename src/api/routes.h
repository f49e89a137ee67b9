// The /api/v1 route table.
#pragma once

#include "api/facade.h"
#include "api/http.h"

namespace pscope::api {

void register_routes(Router& router, const Facade& facade);

nlohmann::json to_json(const HealthInfo& h);
nlohmann::json to_json(const tracer::TracerStats& s);
nlohmann::json to_json(const DropItem& d);
nlohmann::json to_json(const store::PathRow& p);  // list summary

}  // namespace pscope::api
