// Phase timing of `aec build --time` (see PhaseTimes.h).
#include "compiler/codegen/PhaseTimes.h"

#include <chrono>
#include <sys/resource.h>

namespace aec {

namespace {

double wallMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

double ms(const timeval &t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; }

// This process's threads and its waited-for children (the linker).
double cpuMs() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    if (getrusage(who, &u) == 0) total += ms(u.ru_utime) + ms(u.ru_stime);
  }
  return total;
}

} // namespace

PhaseTimes::PhaseTimes() : wall0_(wallMs()), cpu0_(cpuMs()) {}

void PhaseTimes::mark(const std::string &name) {
  const double wall = wallMs(), cpu = cpuMs();
  Phase *p = nullptr;
  for (Phase &q : phases_)
    if (q.name == name) p = &q;
  if (!p) p = &phases_.emplace_back(Phase{name});
  p->wallMs += wall - wall0_;
  p->cpuMs += cpu - cpu0_;
  wall0_ = wall;
  cpu0_ = cpu;
}

void PhaseTimes::print(std::FILE *out) const {
  std::fprintf(out, "aec: time: %-28s %10s %10s\n", "phase", "wall ms", "cpu ms");
  double wall = 0, cpu = 0;
  for (const Phase &p : phases_) {
    std::fprintf(out, "aec: time: %-28s %10.1f %10.1f\n", p.name.c_str(), p.wallMs, p.cpuMs);
    wall += p.wallMs;
    cpu += p.cpuMs;
  }
  std::fprintf(out, "aec: time: %-28s %10.1f %10.1f\n", "total", wall, cpu);
}

} // namespace aec
