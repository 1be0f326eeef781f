// `aec build --time`: wall and CPU time of each phase of a build (front end,
// IR passes, kernel library, LLVM IR, optimization, code generation, link),
// printed as a table on stderr. CPU time includes child processes (the
// system linker), so the table's total is what the build cost the machine.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace aec {

class PhaseTimes {
public:
  PhaseTimes(); // starts the first phase
  // Ends the current phase as `name` (a repeated name adds up) and starts the next.
  void mark(const std::string &name);
  void print(std::FILE *out) const;

private:
  struct Phase {
    std::string name;
    double wallMs = 0, cpuMs = 0;
  };
  std::vector<Phase> phases_;
  double wall0_, cpu0_;
};

} // namespace aec
