// The Guarder's config keys: safe defaults (nothing attached), list and path validation.
#include <gtest/gtest.h>

#include "core/config.h"

namespace pscope {
namespace {

const char* no_env(const char*) { return nullptr; }

Result<LoadedConfig> with(const std::string& key, const std::string& value) {
  return load_config("", {{key, value}}, no_env);
}

TEST(GuardConfig, DefaultsAttachNothing) {
  auto lc = load_config("", {}, no_env);
  ASSERT_TRUE(lc) << lc.error().what;
  EXPECT_TRUE(lc->cfg.guard_enabled);
  EXPECT_EQ(lc->cfg.guard_interfaces, "");
  EXPECT_EQ(lc->cfg.guard_pin_dir, "/sys/fs/bpf/packetscope/guard");
  EXPECT_EQ(lc->cfg.guard_max_rules, 100000u);
  auto list = parse_guard_interfaces(lc->cfg.guard_interfaces);
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

TEST(GuardConfig, InterfaceLists) {
  auto list = parse_guard_interfaces(" eth1, eth2:native ,veth9:generic");
  ASSERT_TRUE(list) << list.error().what;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].name, "eth1");
  EXPECT_EQ((*list)[0].mode, "auto");
  EXPECT_EQ((*list)[1].mode, "native");
  EXPECT_EQ((*list)[2].name, "veth9");
  EXPECT_EQ((*list)[2].mode, "generic");
  for (auto bad : {"eth1:turbo", "eth1:", ":native", "0123456789abcdef", "a/b", "eth1,eth1", "eth1:native:x"}) {
    auto r = parse_guard_interfaces(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_NE(r.error().what.find("guard_interfaces"), std::string::npos);
    }
    EXPECT_FALSE(with("guard_interfaces", bad)) << bad;
  }
  EXPECT_TRUE(with("guard_interfaces", "lo:generic"));
}

TEST(GuardConfig, PinDirAndLimits) {
  EXPECT_TRUE(with("guard_pin_dir", "/sys/fs/bpf/ps-test-x"));
  for (auto bad : {"/tmp/guard", "sys/fs/bpf/x", "/sys/fs/bpf/", "/sys/fs/bpf/../x", ""})
    EXPECT_FALSE(with("guard_pin_dir", bad)) << bad;
  EXPECT_TRUE(with("guard_max_rules", "1"));
  EXPECT_TRUE(with("guard_max_rules", "131072"));
  EXPECT_FALSE(with("guard_max_rules", "0"));
  EXPECT_FALSE(with("guard_max_rules", "131073"));
  auto off = with("guard_enabled", "false");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->cfg.guard_enabled);
}

}  // namespace
}  // namespace pscope
