// The Analyzer's routes: /api/v1/analyzer/* and GET /metrics (docs/analyzer.md, docs/api.md).
#pragma once

#include "api/analyzer_facade.h"
#include "api/http.h"

namespace pscope::api {

void register_analyzer_routes(Router& router, const AnalyzerFacade& facade);

}  // namespace pscope::api
