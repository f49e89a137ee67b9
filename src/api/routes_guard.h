// The Guarder's routes: /api/v1/guard/* (docs/guarder.md "API"). Handlers validate the request,
// translate JSON to guarder types, call the facade and shape the answer; no business logic.
#pragma once

#include "api/guard_facade.h"
#include "api/http.h"

namespace pscope::api {

void register_guard_routes(Router& router, GuardFacade& facade);

namespace guard_http {  // shared by the two route files; not for other callers

// Maps a facade error to its status and code; bad_rule and unsafe_rule carry `fields`.
Response error(const GuardError& e);
Response bad_request(const std::string& message);
// The body as a JSON object, or a 400 answer saying why not.
tl::expected<nlohmann::json, Response> body_object(const Request& req);
// Removes "force" from a body object; a 400 answer when it is not a boolean.
tl::expected<bool, Response> take_force(nlohmann::json& body);
// Who is asking: "api:<peer>" ("cli:<peer>" for the packetscope CLI) and the peer's address.
GuardActor actor_of(const Request& req, bool force);
// Parses one rule; field paths get `prefix` ("rules[3]."). A 400 bad_rule answer on errors.
tl::expected<guarder::Rule, std::vector<guarder::FieldError>> parse(const nlohmann::json& j, bool output_fields,
                                                                      const std::string& prefix);

void register_ops_routes(Router& router, GuardFacade& facade);

}  // namespace guard_http
}  // namespace pscope::api
