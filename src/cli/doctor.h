// `packetscope doctor`: what this machine offers, what is missing and how to fix it.
#pragma once

#include <string>
#include <vector>

namespace pscope::cli {

struct Check {
  std::string area;     // kernel, privileges, runtime, tests
  std::string name;
  bool ok = false;
  bool required = true; // a failed required check makes doctor exit 1
  std::string detail;
  std::string fix;      // what to do when !ok
};

std::vector<Check> run_checks(const std::string& web_root, const std::string& data_dir);
int doctor_main(const std::string& web_root, const std::string& data_dir, bool json);

}  // namespace pscope::cli
