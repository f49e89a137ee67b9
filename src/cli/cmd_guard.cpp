// `packetscope guard rule add|list|del|enable|disable|import|export`, `guard stats`,
// `guard attach IF`, `guard detach [IF]` (see cmd_guard.h). Thin: each command is one or two
// API calls and a printout.
#include "cli/cmd_guard.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cli/api_client.h"
#include "cli/cmd_guard_args.h"
#include "guarder/engine.h"

namespace pscope::cli {
namespace {

constexpr int kOk = 0, kRefused = 1, kUsage = 2;

struct GuardOptions {
  std::string api;       // --api URL (default: from the config's listen address)
  std::string data_dir;  // --data-dir (default: from the config)
  bool json = false;
  RuleArgs rule;
  std::vector<std::string> ids;
  std::string file;
  bool replace = false, force = false;
  std::string ifname;
  std::string mode = "auto";
};

int usage(const std::string& what) {
  std::fprintf(stderr, "packetscope guard: %s\n", what.c_str());
  return kUsage;
}

int refused(const std::string& what) {
  std::fprintf(stderr, "packetscope guard: %s\n", what.c_str());
  return kRefused;
}

// An error answer: its message, then each field problem on its own line.
int report(const ApiResponse& r) {
  std::fprintf(stderr, "packetscope guard: %s\n", r.error_message().c_str());
  auto j = r.json();
  if (j.is_object() && j.contains("error") && j["error"].contains("fields"))
    for (const auto& f : j["error"]["fields"])
      std::fprintf(stderr, "  %s: %s\n", f.value("field", "?").c_str(), f.value("message", "").c_str());
  return kRefused;
}

Result<std::string> read_file(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) return errno_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Result<Config> load_cfg() {
  auto lc = load_config("", {}, [](const char* n) -> const char* { return std::getenv(n); });
  if (!lc) return tl::unexpected(lc.error());
  return lc->cfg;
}

// The client for the running daemon; errors are printed and returned as an exit code.
Result<ApiClient> connect(const GuardOptions& o, int& rc) {
  auto cfg = load_cfg();
  if (!cfg) {
    rc = usage(cfg.error().what);
    return tl::unexpected(cfg.error());
  }
  auto token = read_token(o.data_dir.empty() ? cfg->data_dir : o.data_dir);
  if (!token) {
    rc = refused(token.error().what);
    return tl::unexpected(token.error());
  }
  return ApiClient(o.api.empty() ? default_api_url(*cfg) : o.api, *token);
}

// One call: 2xx gives the answer; anything else is printed and turned into an exit code.
Result<ApiResponse> call(const GuardOptions& o, int& rc, const std::string& method, const std::string& path,
                         const std::string& body = "") {
  auto c = connect(o, rc);
  if (!c) return tl::unexpected(c.error());
  auto r = c->call(method, path, body);
  if (!r) {
    rc = refused(r.error().what);
    return tl::unexpected(r.error());
  }
  if (r->status < 200 || r->status >= 300) {
    rc = report(*r);
    return fail(r->error_message());
  }
  rc = kOk;
  return r;
}

std::string match_text(const nlohmann::json& m) {
  std::string out;
  if (!m.is_object()) return "any";
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (it.value().is_boolean() && !it.value().get<bool>()) continue;
    std::string v = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    out += (out.empty() ? "" : " ") + it.key() + "=" + v;
  }
  return out.empty() ? "any" : out;
}

void print_rules(const nlohmann::json& items) {
  std::printf("%-7s %-8s %-16s %-12s %-12s %-24s %s\n", "ID", "PRIO", "ACTION", "PACKETS", "BYTES", "EXPIRES",
              "MATCH / COMMENT");
  for (const auto& r : items) {
    std::string action = r.value("action", "?");
    if (r.value("shadow", false)) action += ",shadow";
    if (!r.value("enabled", true)) action += ",off";
    const auto& c = r.contains("counters") ? r["counters"] : nlohmann::json::object();
    std::string expires = r.contains("expires_at") && r["expires_at"].is_string() ? r["expires_at"].get<std::string>() : "-";
    std::string comment = r.value("comment", "");
    std::printf("%-7s %-8s %-16s %-12s %-12s %-24s %s%s\n", r.value("id", nlohmann::json()).dump().c_str(),
                r.value("priority", nlohmann::json()).dump().c_str(), action.c_str(),
                c.value("packets", nlohmann::json(0)).dump().c_str(), c.value("bytes", nlohmann::json(0)).dump().c_str(),
                expires.c_str(), match_text(r.value("match", nlohmann::json::object())).c_str(),
                comment.empty() ? "" : ("  # " + comment).c_str());
  }
}

int rule_add(const GuardOptions& o) {
  auto body = rule_body_from_args(o.rule, read_file);
  if (!body) return usage(body.error().what);
  int rc = kOk;
  auto r = call(o, rc, "POST", "/api/v1/guard/rules", body->dump());
  if (!r) return rc;
  auto j = r->json();
  std::printf("added rule %s: %s %s\n", j.value("id", nlohmann::json()).dump().c_str(), j.value("action", "").c_str(),
              match_text(j.value("match", nlohmann::json::object())).c_str());
  return kOk;
}

int rule_list(const GuardOptions& o) {
  int rc = kOk;
  auto r = call(o, rc, "GET", "/api/v1/guard/rules");
  if (!r) return rc;
  auto j = r->json();
  if (o.json) std::printf("%s\n", j.dump(2).c_str());
  else print_rules(j.value("items", nlohmann::json::array()));
  return kOk;
}

int rule_bulk(const GuardOptions& o, const std::string& op) {
  auto ids = parse_ids(o.ids);
  if (!ids) return usage(ids.error().what);
  int rc = kOk;
  auto r = call(o, rc, "POST", "/api/v1/guard/rules/bulk", nlohmann::json{{"op", op}, {"ids", *ids}}.dump());
  if (!r) return rc;
  std::printf("%s: %s rule(s) changed\n", op.c_str(), r->json().value("changed", nlohmann::json(0)).dump().c_str());
  return kOk;
}

// The file holds an export ({version, rules, ...}) or a bare array of rules.
int rule_import(const GuardOptions& o) {
  auto text = read_file(o.file);
  if (!text) return refused(text.error().what);
  auto j = nlohmann::json::parse(*text, nullptr, false);
  nlohmann::json body;
  if (j.is_array()) body = {{"rules", j}};
  else if (j.is_object() && j.contains("rules")) body = j;
  else return usage(o.file + " holds neither an export ({\"rules\": [...]}) nor a JSON array of rules");
  if (o.replace) body["mode"] = "replace";
  if (o.force) body["force"] = true;
  int rc = kOk;
  auto r = call(o, rc, "POST", "/api/v1/guard/rules/import", body.dump());
  if (!r) return rc;
  auto a = r->json();
  std::printf("imported %s rule(s), replaced %s\n", a.value("imported", nlohmann::json(0)).dump().c_str(),
              a.value("replaced", nlohmann::json(0)).dump().c_str());
  return kOk;
}

int rule_export(const GuardOptions& o) {
  int rc = kOk;
  auto r = call(o, rc, "GET", "/api/v1/guard/rules/export");
  if (!r) return rc;
  std::string text = r->json().dump(2) + "\n";
  if (o.file.empty() || o.file == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kOk;
  }
  std::ofstream out(o.file, std::ios::binary | std::ios::trunc);
  if (!out || !(out << text)) return refused("cannot write " + o.file);
  std::fprintf(stderr, "exported %zu rule(s) to %s\n", r->json()["rules"].size(), o.file.c_str());
  return kOk;
}

int stats(const GuardOptions& o) {
  int rc = kOk;
  auto r = call(o, rc, "GET", "/api/v1/guard/stats");
  if (!r) return rc;
  auto j = r->json();
  if (o.json) {
    std::printf("%s\n", j.dump(2).c_str());
    return kOk;
  }
  for (auto k : {"packets", "bytes", "passed", "dropped", "rate_dropped", "malformed", "non_ip", "log_sent", "log_lost",
                 "hits_overflow", "flows_full", "live_rules", "generation"})
    std::printf("%-14s %s\n", k, j.value(k, nlohmann::json()).dump().c_str());
  for (const auto& a : j.value("attachments", nlohmann::json::array()))
    std::printf("attached       %s (ifindex %s, %s)\n", a.value("ifname", "").c_str(),
                a.value("ifindex", nlohmann::json()).dump().c_str(), a.value("mode", "").c_str());
  return kOk;
}

int attach(const GuardOptions& o) {
  int rc = kOk;
  auto r = call(o, rc, "POST", "/api/v1/guard/interfaces", nlohmann::json{{"ifname", o.ifname}, {"mode", o.mode}}.dump());
  if (!r) return rc;
  auto j = r->json();
  std::printf("attached to %s (%s XDP)\n", j.value("ifname", "").c_str(), j.value("mode", "").c_str());
  return kOk;
}

// Without an interface: through the daemon when it answers (it also unloads its engine), else
// directly on the pinned state, which needs root.
int detach(const GuardOptions& o) {
  int rc = kOk;
  if (!o.ifname.empty()) {
    if (!call(o, rc, "DELETE", "/api/v1/guard/interfaces/" + o.ifname)) return rc;
    std::printf("detached from %s\n", o.ifname.c_str());
    return kOk;
  }
  auto cfg = load_cfg();
  if (!cfg) return usage(cfg.error().what);
  auto token = read_token(o.data_dir.empty() ? cfg->data_dir : o.data_dir);
  if (token) {
    ApiClient c(o.api.empty() ? default_api_url(*cfg) : o.api, *token);
    auto r = c.call("DELETE", "/api/v1/guard/interfaces");
    if (r && r->status == 204) {
      std::printf("detached everywhere; the daemon removed %s and stays without the Guarder until it restarts\n",
                  cfg->guard_pin_dir.c_str());
      return kOk;
    }
    if (r) return report(*r);
    if (r.error().code != kUnreachable) return refused(r.error().what);
  }
  if (::geteuid() != 0)
    return refused("the daemon is not answering, and removing the pinned state directly needs root (run with sudo)");
  if (auto r = guarder::Engine::remove_all({cfg->guard_pin_dir}); !r) return refused(r.error().what);
  std::printf("detached everywhere; removed %s (the daemon was not running)\n", cfg->guard_pin_dir.c_str());
  return kOk;
}

void add_rule_options(CLI::App* add, RuleArgs& a) {
  add->add_option("--json", a.json_file, "Read the whole rule (docs/guarder.md JSON) from FILE, - for stdin");
  add->add_option("--action", a.action, "drop, pass, rate-limit or log");
  add->add_option("--src", a.src, "Source address or CIDR");
  add->add_option("--dst", a.dst, "Destination address or CIDR");
  add->add_option("--proto", a.proto, "tcp, udp, icmp, icmpv6, sctp, gre, esp, ah or a number");
  add->add_option("--sport", a.sport, "Source port N or range A-B");
  add->add_option("--dport", a.dport, "Destination port N or range A-B");
  add->add_option("--tcp-flags", a.tcp_flags, "e.g. SYN,!ACK (! = must be clear)");
  add->add_option("--icmp-type", a.icmp_type, "ICMP/ICMPv6 type 0-255");
  add->add_option("--icmp-code", a.icmp_code, "ICMP/ICMPv6 code 0-255 (needs --icmp-type)");
  add->add_option("--priority", a.priority, "0-1000000, lower first (default 1000)");
  add->add_option("--ttl", a.ttl, "Delete the rule after this long: 90s, 10m, 2h, 7d");
  add->add_option("--comment", a.comment, "Free text (up to 512 bytes)");
  add->add_option("--pps", a.pps, "rate-limit: packets per second per source");
  add->add_option("--bps", a.bps, "rate-limit: bytes per second per source");
  add->add_option("--burst", a.burst, "rate-limit: bucket depth (default: the rate)");
  add->add_flag("--shadow", a.shadow, "Count only: never change a verdict");
  add->add_flag("--disabled", a.disabled, "Store the rule disabled");
  add->add_flag("--force", a.force, "Skip the safety check (a rule that drops everything or your own connection)");
}

template <class Fn>
void run_with(CLI::App* cmd, Fn fn) {
  cmd->callback([fn] { throw CLI::RuntimeError(fn()); });
}

}  // namespace

void add_guard_command(CLI::App& app) {
  auto o = std::make_shared<GuardOptions>();
  auto* guard = app.add_subcommand("guard", "Guarder rules, counters and interfaces (through the running daemon)");
  guard->require_subcommand(1);
  guard->add_option("--api", o->api, "Daemon API base URL (default: from the config's listen address)");
  guard->add_option("--data-dir", o->data_dir, "Data dir holding the API token (default: from the config)");

  auto* rule = guard->add_subcommand("rule", "Add, list, delete, enable, disable, import or export rules");
  rule->require_subcommand(1);
  rule->fallthrough();
  auto* add = rule->add_subcommand("add", "Add one rule (options, or --json FILE)");
  add_rule_options(add, o->rule);
  run_with(add, [o] { return rule_add(*o); });
  auto* list = rule->add_subcommand("list", "List rules in evaluation order with their counters");
  list->add_flag("--json", o->json, "Print the API's JSON");
  run_with(list, [o] { return rule_list(*o); });
  for (auto [name, op, help] : {std::tuple{"del", "delete", "Delete rules (all or nothing)"},
                                std::tuple{"enable", "enable", "Enable rules (all or nothing)"},
                                std::tuple{"disable", "disable", "Disable rules (all or nothing)"}}) {
    auto* c = rule->add_subcommand(name, help);
    c->add_option("ID", o->ids, "Rule ids")->required();
    c->fallthrough();
    std::string bulk_op = op;
    run_with(c, [o, bulk_op] { return rule_bulk(*o, bulk_op); });
  }
  auto* imp = rule->add_subcommand("import", "Import rules from an export file or a JSON array (all or nothing)");
  imp->add_option("FILE", o->file, "File, - for stdin")->required();
  imp->add_flag("--replace", o->replace, "Delete every current rule first");
  imp->add_flag("--force", o->force, "Skip the safety check");
  run_with(imp, [o] { return rule_import(*o); });
  auto* exp = rule->add_subcommand("export", "Export every rule as JSON (to FILE or stdout)");
  exp->add_option("FILE", o->file, "Output file");
  run_with(exp, [o] { return rule_export(*o); });
  for (auto* c : {add, list, imp, exp}) c->fallthrough();

  auto* st = guard->add_subcommand("stats", "Global counters, live rules and attachments");
  st->add_flag("--json", o->json, "Print the API's JSON");
  run_with(st, [o] { return stats(*o); });
  auto* att = guard->add_subcommand("attach", "Attach the XDP program to an interface (pinned: survives restarts)");
  att->add_option("IF", o->ifname, "Interface name")->required();
  att->add_option("--mode", o->mode, "auto, native or generic")->check(CLI::IsMember({"auto", "native", "generic"}));
  run_with(att, [o] { return attach(*o); });
  auto* det = guard->add_subcommand("detach", "Detach from IF; without IF detach everywhere and remove all pinned state");
  det->add_option("IF", o->ifname, "Interface name");
  run_with(det, [o] { return detach(*o); });
  for (auto* c : {st, att, det}) c->fallthrough();
}

}  // namespace pscope::cli
