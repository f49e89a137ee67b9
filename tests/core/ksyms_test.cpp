// Kallsyms look-up on a crafted file, and BTF enum names from the running kernel.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "core/ksyms.h"

namespace pscope {
namespace {

TEST(Kallsyms, DescribesAddressesWithinSymbols) {
  char path[] = "/tmp/ps-kallsyms-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "ffffffff81000000 T _stext\n"
                         "ffffffff81001000 t tcp_v4_rcv\n"
                         "ffffffff81002000 D some_data\n"
                         "ffffffff81003000 T udp_rcv [udp]\n";
  auto k = Kallsyms::load(path);
  ASSERT_TRUE(k) << k.error().what;
  EXPECT_EQ(k->size(), 3u);  // data symbols skipped
  EXPECT_EQ(k->describe(0xffffffff81001010ULL), "tcp_v4_rcv+0x10");
  EXPECT_EQ(k->describe(0xffffffff81002010ULL), "tcp_v4_rcv+0x1010");  // data symbol ignored
  EXPECT_EQ(k->describe(0xffffffff81003000ULL), "udp_rcv+0x0");
  EXPECT_EQ(k->describe(0x1000), "0x1000");
  std::remove(path);
}

TEST(Kallsyms, ZeroedAddressesMeanNoPrivilege) {
  char path[] = "/tmp/ps-kallsyms-XXXXXX";
  int fd = mkstemp(path);
  ::close(fd);
  std::ofstream(path) << "0000000000000000 T _stext\n0000000000000000 T tcp_v4_rcv\n";
  auto k = Kallsyms::load(path);
  ASSERT_FALSE(k);
  EXPECT_NE(k.error().what.find("run as root"), std::string::npos);
  std::remove(path);
}

TEST(BtfEnums, DropReasonsComeFromTheKernel) {
  auto names = btf_enum_names("skb_drop_reason", "SKB_DROP_REASON_");
  if (!names) GTEST_SKIP() << "kernel BTF not readable: " << names.error().what;
  bool has_no_socket = false;
  for (const auto& [v, n] : *names) has_no_socket |= (n == "NO_SOCKET");
  EXPECT_TRUE(has_no_socket);
  EXPECT_GT(names->size(), 10u);
  EXPECT_FALSE(btf_enum_names("no_such_enum_in_any_kernel", ""));
}

}  // namespace
}  // namespace pscope
