// What the Guarder's routes need from the daemon, as an interface (unit tests use a fake). The
// routes translate JSON to these calls; the implementation (daemon/guard_service.h) validates,
// checks safety, stores, applies to the kernel and writes the audit log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "guarder/engine.h"
#include "guarder/rule.h"
#include "store/audit_repo.h"

namespace pscope::api {

// Why a Guarder call failed; the routes map each kind to one HTTP status and error code.
enum class GuardErrc {
  kBadRule,      // 400 bad_rule: validation failed, `fields` say where
  kBadRequest,   // 400 bad_request: a malformed request (not a rule field)
  kNotFound,     // 404 not_found
  kUnsafe,       // 409 unsafe_rule: the safety check refused it, `fields` say why
  kLimit,        // 409 rule_limit: guard_max_rules reached
  kApplyFailed,  // 409 apply_failed: the kernel refused the rule set; nothing changed
  kAttachFailed, // 409 attach_failed: XDP could not be attached to (or detached from) the interface
  kUnavailable,  // 503 guard_unavailable: the Guarder is disabled, failed or was removed
  kInternal,     // 500 storage: database or other internal failure
};

struct GuardError {
  GuardErrc kind = GuardErrc::kInternal;
  std::string message;
  std::vector<guarder::FieldError> fields;
};

template <class T = void>
using GuardResult = tl::expected<T, GuardError>;

inline tl::unexpected<GuardError> guard_fail(GuardErrc kind, std::string message,
                                             std::vector<guarder::FieldError> fields = {}) {
  return tl::unexpected<GuardError>(GuardError{kind, std::move(message), std::move(fields)});
}

// Who asks for a change, for created_by, the audit log and the safety check.
struct GuardActor {
  std::string name;                     // "api:127.0.0.1", "cli:127.0.0.1", "detector:syn"
  std::optional<guarder::Cidr> caller;  // the API peer's address as a /32 or /128
  bool force = false;                   // skip the safety check
};

struct GuardListQuery {
  std::optional<guarder::Origin> origin;
  std::optional<bool> enabled;
  std::string text;  // searched in the comment and addresses
};

struct GuardRuleView {
  guarder::Rule rule;
  guarder::RuleCounters counters;
};

enum class BulkOp { kEnable, kDisable, kDelete };

struct ImportResult {
  size_t imported = 0;
  size_t replaced = 0;  // rules deleted by mode "replace"
};

struct DryRunSample {
  std::string source;  // "tracer" or "xdp"
  int64_t ts_ns = 0;   // wall clock
  std::string summary;
};

struct DryRunResult {
  uint64_t examined_packets = 0, matched_packets = 0;
  uint64_t examined_flows = 0, matched_flows = 0;
  bool truncated = false;           // more packets were stored than the cap allows
  uint64_t cap = 0;                 // at most this many stored packets are examined
  std::vector<std::string> notes;   // limits of the answer, as sentences
  std::vector<DryRunSample> samples;
};

struct GuardStatsView {
  guarder::GuardStats stats;
  std::vector<guarder::Attachment> attachments;
  std::optional<guarder::ApplyReport> last_apply;
};

class GuardFacade {
 public:
  virtual ~GuardFacade() = default;

  // Stored rules in evaluation order with their counters (zero when the kernel side is down).
  virtual GuardResult<std::vector<GuardRuleView>> list_rules(const GuardListQuery& q) const = 0;
  virtual GuardResult<GuardRuleView> get_rule(uint32_t id) const = 0;
  // A parsed rule (id ignored): safety, limit, store, apply, audit.
  virtual GuardResult<GuardRuleView> add_rule(guarder::Rule r, const GuardActor& who) = 0;
  // RFC 7396 merge patch onto the stored rule, then validation and the same steps as add.
  virtual GuardResult<GuardRuleView> patch_rule(uint32_t id, const nlohmann::json& patch, const GuardActor& who) = 0;
  virtual GuardResult<void> delete_rule(uint32_t id, const GuardActor& who) = 0;
  // All or nothing: an unknown id is kNotFound and nothing changes. Returns the rules changed.
  virtual GuardResult<size_t> bulk(BulkOp op, const std::vector<uint32_t>& ids, const GuardActor& who) = 0;
  // Parsed rules; all are checked (safety, limit) before anything is stored.
  virtual GuardResult<ImportResult> import_rules(std::vector<guarder::Rule> rules, bool replace,
                                                 const GuardActor& who) = 0;

  virtual GuardResult<DryRunResult> dry_run(const guarder::Rule& r, int minutes) const = 0;

  virtual GuardResult<GuardStatsView> stats() const = 0;
  virtual GuardResult<std::unordered_map<uint32_t, guarder::RuleCounters>> counters() const = 0;
  // Most recent first, at most `limit`.
  virtual GuardResult<std::vector<guarder::XdpFlow>> flows(size_t limit) const = 0;
  // The latest log samples, newest first, at most `limit`.
  virtual GuardResult<std::vector<guarder::LogSample>> log_samples(size_t limit) const = 0;
  virtual GuardResult<std::vector<store::AuditEntry>> audit(int64_t limit, std::optional<int64_t> before_id) const = 0;

  virtual GuardResult<std::vector<guarder::Attachment>> interfaces() const = 0;
  virtual GuardResult<guarder::Attachment> attach(const std::string& ifname, std::optional<guarder::XdpMode> mode,
                                                  const GuardActor& who) = 0;
  virtual GuardResult<void> detach(const std::string& ifname, const GuardActor& who) = 0;
  // Detaches every interface and removes all pinned state (Engine::remove_all); the Guarder
  // stays unloaded until the daemon restarts. Stored rules are kept.
  virtual GuardResult<void> remove_all(const GuardActor& who) = 0;

  // ifindex -> name for answers (flows, log samples); empty when unknown.
  virtual std::string ifname_of(uint32_t ifindex) const = 0;
};

}  // namespace pscope::api
