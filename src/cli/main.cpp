// packetscope: the command line. Thin: parses options and calls into the modules.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/cmd_guard.h"
#include "cli/cmd_sockets.h"
#include "cli/cmd_top.h"
#include "cli/cmd_trace.h"
#include "cli/doctor.h"
#include "core/config.h"
#include "core/log.h"
#include "core/version.h"
#include "daemon/daemon.h"


namespace {

const char* kServeFooter = R"(
Every option above can also be set in the config file (JSON object, same key names with '_',
e.g. {"listen": "127.0.0.1:9470", "tracer_drop_sample": 10}) and in the environment as
PACKETSCOPE_<KEY> (e.g. PACKETSCOPE_LISTEN, PACKETSCOPE_DATA_DIR).
Precedence, lowest to highest: built-in default < config file < environment < command line.
Config file: --config, else $PACKETSCOPE_CONFIG, else /etc/packetscope/config.json if present.
The API and UI need the access token kept in <data_dir>/token (created 0600 on first start).)";

}  // namespace

int main(int argc, char** argv) {
  // Every message goes to stderr from the start: stdout carries `trace --json` and `top --json`.
  pscope::log::init("info");
  CLI::App app{"PacketScope: see the Linux network stack and defend it from inside (eBPF)."};
  app.set_version_flag("--version", pscope::kVersion);
  app.require_subcommand(1);

  std::string config_file;
  std::map<std::string, std::string> flags;
  auto* serve = app.add_subcommand("serve", "Load the kernel programs and serve the web UI, API and live stream");
  serve->add_option("--config", config_file, "JSON config file")->check(CLI::ExistingFile);
  for (const auto& key : pscope::config_keys()) {
    std::string name = key.name;
    serve->add_option_function<std::string>(
        key.flag(), [&flags, name](const std::string& v) { flags[name] = v; },
        key.help + " [env " + key.env() + "]");
  }
  bool print_config = false;
  serve->add_flag("--print-config", print_config, "Print the effective configuration and its sources, then exit");
  serve->footer(kServeFooter);

  auto* doctor = app.add_subcommand("doctor", "Check kernel, privileges and packages; say what is missing and how to fix it");
  bool doctor_json = false;
  doctor->add_flag("--json", doctor_json, "Machine-readable output");

  pscope::cli::add_trace_command(app);
  pscope::cli::add_sockets_command(app);
  pscope::cli::add_top_command(app);
  pscope::cli::add_guard_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);  // prints help, the version or the usage error
    // Commands report their own exit code (RuntimeError); every usage error exits 2.
    return rc == 0 || e.get_name() == "RuntimeError" ? rc : 2;
  }

  auto env = [](const char* n) -> const char* { return std::getenv(n); };
  auto lc = pscope::load_config(config_file, flags, env);
  if (!lc) {
    std::fprintf(stderr, "packetscope: %s\n", lc.error().what.c_str());
    return 2;
  }
  if (!pscope::log::init(lc->cfg.log_level)) {
    std::fprintf(stderr, "packetscope: bad log level\n");
    return 2;
  }
  if (*doctor) {
    std::string web = lc->cfg.web_root.empty() ? pscope::kBuiltWebRoot : lc->cfg.web_root;
    return pscope::cli::doctor_main(web, lc->cfg.data_dir, doctor_json);
  }
  if (print_config) {
    static const char* src[] = {"default", "file", "env", "flag"};
    auto j = pscope::config_to_json(lc->cfg);
    for (const auto& key : pscope::config_keys())
      std::printf("%-22s %-32s (%s)\n", key.name.c_str(), j[key.name].dump().c_str(),
                  src[static_cast<int>(lc->source[key.name])]);
    return 0;
  }
  return pscope::daemon::serve(*lc);
}
