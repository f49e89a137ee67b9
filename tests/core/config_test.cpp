// Config precedence and validation: default < file < env < flag; bad values name key and source.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/config.h"

namespace pscope {
namespace {

struct FakeEnv {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> fn() {
    return [this](const char* n) -> const char* {
      auto it = vars.find(n);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

std::string write_temp(const std::string& content) {
  char path[] = "/tmp/ps-config-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << content;
  return path;
}

TEST(Config, DefaultsAreLoopbackAndSafe) {
  FakeEnv env;
  auto lc = load_config("", {}, env.fn());
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_EQ(lc->cfg.listen_host, "127.0.0.1");
  EXPECT_FALSE(lc->cfg.allow_remote);
  EXPECT_EQ(lc->source["listen"], ConfigSource::kDefault);
}

TEST(Config, PrecedenceFileEnvFlag) {
  auto file = write_temp(R"({"listen": "127.0.0.2:1000", "log_level": "debug", "tracer_drop_sample": 5})");
  FakeEnv env;
  env.vars["PACKETSCOPE_LISTEN"] = "127.0.0.3:2000";
  env.vars["PACKETSCOPE_TRACER_DROP_SAMPLE"] = "7";
  auto lc = load_config(file, {{"tracer_drop_sample", "9"}}, env.fn());
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_EQ(lc->cfg.log_level, "debug");            // file only
  EXPECT_EQ(lc->cfg.listen_host, "127.0.0.3");       // env beats file
  EXPECT_EQ(lc->cfg.listen_port, 2000);
  EXPECT_EQ(lc->cfg.tracer_drop_sample, 9u);         // flag beats env
  EXPECT_EQ(lc->source["log_level"], ConfigSource::kFile);
  EXPECT_EQ(lc->source["listen"], ConfigSource::kEnv);
  EXPECT_EQ(lc->source["tracer_drop_sample"], ConfigSource::kFlag);
  std::remove(file.c_str());
}

TEST(Config, ConfigFileFromEnvironmentMustExist) {
  FakeEnv env;
  env.vars["PACKETSCOPE_CONFIG"] = "/nonexistent/packetscope.json";
  auto lc = load_config("", {}, env.fn());
  ASSERT_FALSE(lc);
  EXPECT_NE(lc.error().what.find("/nonexistent/packetscope.json"), std::string::npos);
}

TEST(Config, RejectsUnknownKeysAndBadJson) {
  FakeEnv env;
  auto f1 = write_temp(R"({"listen_port": 1})");
  auto lc = load_config(f1, {}, env.fn());
  ASSERT_FALSE(lc);
  EXPECT_NE(lc.error().what.find("unknown key 'listen_port'"), std::string::npos);
  auto f2 = write_temp("{not json");
  lc = load_config(f2, {}, env.fn());
  ASSERT_FALSE(lc);
  EXPECT_NE(lc.error().what.find("not valid JSON"), std::string::npos);
  auto f3 = write_temp("[1,2]");
  EXPECT_FALSE(load_config(f3, {}, env.fn()));
  for (auto* f : {&f1, &f2, &f3}) std::remove(f->c_str());
}

TEST(Config, JsonCommentsAllowed) {
  FakeEnv env;
  auto f = write_temp("{\n // operators annotate configs\n \"log_level\": \"warn\"\n}");
  auto lc = load_config(f, {}, env.fn());
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_EQ(lc->cfg.log_level, "warn");
  std::remove(f.c_str());
}

struct BadValue {
  std::string key, value, expect;
};

class ConfigBadValues : public ::testing::TestWithParam<BadValue> {};

TEST_P(ConfigBadValues, NamesTheKeyAndTheRule) {
  FakeEnv env;
  auto lc = load_config("", {{GetParam().key, GetParam().value}}, env.fn());
  ASSERT_FALSE(lc) << GetParam().key << "=" << GetParam().value;
  EXPECT_NE(lc.error().what.find(GetParam().expect), std::string::npos) << lc.error().what;
}

INSTANTIATE_TEST_SUITE_P(
    All, ConfigBadValues,
    ::testing::Values(BadValue{"listen", "localhost:80", "not an IP address"},
                      BadValue{"listen", "127.0.0.1", "must look like"},
                      BadValue{"listen", "127.0.0.1:70000", "65535"},
                      BadValue{"listen", "0.0.0.0:9470", "not a loopback address"},
                      BadValue{"data_dir", "relative/dir", "absolute path"},
                      BadValue{"log_level", "loud", "not one of"},
                      BadValue{"tracer_drop_sample", "0", "from 1 to"},
                      BadValue{"tracer_drop_sample", "-3", "whole number"},
                      BadValue{"tracer_enabled", "maybe", "not a boolean"},
                      BadValue{"allowed_origins", "evil.example", "must start with http"}));

TEST(Config, RemoteListenNeedsExplicitOptIn) {
  FakeEnv env;
  auto lc = load_config("", {{"listen", "0.0.0.0:9470"}, {"allow_remote", "true"}}, env.fn());
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_EQ(lc->cfg.listen_host, "0.0.0.0");
  lc = load_config("", {{"listen", "[::1]:9470"}}, env.fn());
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_EQ(lc->cfg.listen_host, "::1");
}

TEST(Config, JsonViewHasEveryKey) {
  auto j = config_to_json(Config{});
  for (const auto& k : config_keys()) EXPECT_TRUE(j.contains(k.name)) << k.name;
  EXPECT_EQ(j["listen"], "127.0.0.1:9470");
}

TEST(Config, FlagAndEnvNames) {
  const auto& keys = config_keys();
  auto it = std::find_if(keys.begin(), keys.end(), [](const ConfigKey& k) { return k.name == "data_dir"; });
  ASSERT_NE(it, keys.end());
  EXPECT_EQ(it->flag(), "--data-dir");
  EXPECT_EQ(it->env(), "PACKETSCOPE_DATA_DIR");
}

TEST(Config, AnalyzerDefaults) {
  FakeEnv env;
  auto lc = load_config("", {}, env.fn());
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_TRUE(lc->cfg.analyzer_enabled);
  EXPECT_EQ(lc->cfg.analyzer_latency_sample, 1u);
  EXPECT_EQ(lc->cfg.analyzer_history_s, 3600u);
  EXPECT_EQ(lc->cfg.analyzer_rollup_s, 7u * 86400);
  EXPECT_EQ(lc->cfg.analyzer_flows_max, 65536u);
  EXPECT_EQ(lc->cfg.analyzer_top_n, 50u);
}

TEST(Config, AnalyzerKeysFromEveryPlace) {
  FakeEnv env;
  env.vars["PACKETSCOPE_ANALYZER_LATENCY_SAMPLE"] = "8";
  auto lc = load_config("", {{"analyzer_enabled", "false"}, {"analyzer_history_s", "600"}, {"analyzer_top_n", "200"}},
                        env.fn());
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_FALSE(lc->cfg.analyzer_enabled);
  EXPECT_EQ(lc->cfg.analyzer_latency_sample, 8u);
  EXPECT_EQ(lc->cfg.analyzer_history_s, 600u);
  EXPECT_EQ(lc->cfg.analyzer_top_n, 200u);
  EXPECT_EQ(lc->source["analyzer_latency_sample"], ConfigSource::kEnv);
}

TEST(Config, AnalyzerBadValuesAreRefused) {
  FakeEnv env;
  const std::pair<const char*, const char*> bad[] = {
      {"analyzer_latency_sample", "0"}, {"analyzer_history_s", "10"},  {"analyzer_rollup_s", "60"},
      {"analyzer_flows_max", "12"},     {"analyzer_top_n", "0"},       {"analyzer_top_n", "201"},
      {"analyzer_enabled", "perhaps"},  {"analyzer_history_s", "1e3"}};
  for (const auto& [key, value] : bad) {
    auto lc = load_config("", {{key, value}}, env.fn());
    ASSERT_FALSE(lc) << key << "=" << value;
    EXPECT_NE(lc.error().what.find(key), std::string::npos) << lc.error().what;
  }
  auto lc = load_config("", {{"analyzer_history_s", "86400"}, {"analyzer_rollup_s", "3600"}}, env.fn());
  ASSERT_FALSE(lc);
  EXPECT_NE(lc.error().what.find("analyzer_rollup_s (3600) must be at least analyzer_history_s (86400)"),
            std::string::npos)
      << lc.error().what;
}

}  // namespace
}  // namespace pscope
