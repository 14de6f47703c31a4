// xlat86-oracle: the native oracle for 32-bit code.
//
// Generates instruction cases per family (fixed seed by default), runs them on
// the host CPU through xlat86-oracle-host (a 32-bit process) and in our
// interpreter, and compares registers, EIP, the flags the SDM defines, the
// scratch memory and the exception raised. Prints a per-family summary table,
// the failing forms, and the first failures with a readable diff.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gen.h"
#include "runner.h"

#ifndef XLAT86_ORACLE_HOST
#define XLAT86_ORACLE_HOST "xlat86-oracle-host"
#endif

using namespace oracle;

namespace {

struct Options {
  std::string host = XLAT86_ORACLE_HOST;
  uint64_t seed = 1;
  unsigned count = 20000;
  std::vector<std::string> only;
  unsigned show = 1;       // failures printed per family
  unsigned max_show = 40;  // failures printed in total
  std::string one_case;    // print this case ("family/index") whatever its verdict
  bool all = false;        // print every case
  bool jit = false;        // run our side through the translator
};

void usage() {
  std::printf(
      "usage: xlat86-oracle [options]\n"
      "  --host PATH     the 32-bit executor (default %s)\n"
      "  --seed N        case generator seed (default 1)\n"
      "  --count N       about N cases in total, shared by family weight (default 20000)\n"
      "  --family A,B    only these families\n"
      "  --show N        failures printed per family (default 1)\n"
      "  --max-show N    failures printed in total (default 40)\n"
      "  --case F/K      print case K of family F in full\n"
      "  --all           print every case (with --family, to inspect a generator)\n"
      "  --list          list the families\n"
      "  --cpu jit       run our side through the translator (default interp)\n"
      "Exit status: 0 all passed, 1 failures, 2 error, %d this machine cannot run 32-bit snippets.\n",
      XLAT86_ORACLE_HOST, ORC_EXIT_UNAVAILABLE);
}

std::string host_cpu() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

uint64_t name_hash(const char* s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; ++s) h = (h ^ uint8_t(*s)) * 1099511628211ull;
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    auto next = [&]() -> std::string {
      if (k + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++k];
    };
    if (a == "--host") o.host = next();
    else if (a == "--seed") o.seed = std::strtoull(next().c_str(), nullptr, 0);
    else if (a == "--count") o.count = unsigned(std::strtoul(next().c_str(), nullptr, 0));
    else if (a == "--show") o.show = unsigned(std::strtoul(next().c_str(), nullptr, 0));
    else if (a == "--max-show") o.max_show = unsigned(std::strtoul(next().c_str(), nullptr, 0));
    else if (a == "--case") o.one_case = next();
    else if (a == "--all") o.all = true;
    else if (a == "--cpu") {
      std::string e = next();
      if (e != "interp" && e != "jit") { usage(); return 2; }
      o.jit = e == "jit";
    }
    else if (a == "--family") {
      std::string v = next();
      for (size_t p = 0; p <= v.size();) {
        size_t q = v.find(',', p);
        if (q == std::string::npos) q = v.size();
        if (q > p) o.only.push_back(v.substr(p, q - p));
        p = q + 1;
      }
    } else if (a == "--list") {
      for (const Family& f : families()) std::printf("%-10s weight %u\n", f.name, f.weight);
      return 0;
    } else {
      usage();
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }

  // Generate. Each family has its own generator stream, so --family X
  // reproduces exactly the X cases of a full run with the same seed and count.
  unsigned total_weight = 0;
  for (const Family& f : families()) total_weight += f.weight;
  std::vector<Case> cases;
  for (const Family& f : families()) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), f.name) == o.only.end()) continue;
    unsigned n = std::max(4u, unsigned(uint64_t(o.count) * f.weight / total_weight));
    Rng r(o.seed * 0x9E3779B97F4A7C15ull ^ name_hash(f.name));
    for (unsigned k = 0; k < n; ++k) {
      Case c;
      f.gen(r, c);
      c.index = k;
      cases.push_back(std::move(c));
    }
  }
  if (cases.empty()) {
    std::fprintf(stderr, "no family selected (see --list)\n");
    return 2;
  }

  std::vector<HostResult> host;
  std::string err;
  bool unavailable = false;
  if (!run_host(&unavailable, o.host, cases, host, err)) {
    std::fprintf(stderr, "xlat86-oracle: %s%s\n", err.c_str(), unavailable ? ": skipped" : "");
    return unavailable ? ORC_EXIT_UNAVAILABLE : 2;
  }

  struct Tally { unsigned cases = 0, failed = 0; };
  std::vector<std::string> order;
  std::map<std::string, Tally> fam;
  std::map<std::string, std::map<std::string, Tally>> forms;
  std::map<std::string, unsigned> shown;
  std::string reports;
  unsigned printed = 0, failed = 0;
  Guest guest(o.jit);
  GuestResult g;
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    guest.run(c, g);
    Verdict v = compare(c, host[k], g);
    if (!fam.count(c.family)) order.push_back(c.family);
    Tally& t = fam[c.family];
    Tally& ft = forms[c.family][c.form];
    ++t.cases;
    ++ft.cases;
    if (!v.pass) {
      ++t.failed;
      ++ft.failed;
      ++failed;
      if (shown[c.family] < o.show && printed < o.max_show) {
        ++shown[c.family];
        ++printed;
        reports += c.family + "/" + std::to_string(c.index) + " " + describe(c, host[k], g, v) + "\n";
      }
    }
    if (o.all || o.one_case == c.family + "/" + std::to_string(c.index))
      std::printf("%s (%s) %s\n", o.one_case.c_str(), v.pass ? "pass" : "FAIL", describe(c, host[k], g, v).c_str());
  }

  std::printf("xlat86 native oracle: seed %llu, %zu cases, host CPU: %s\n\n", (unsigned long long)o.seed,
              cases.size(), host_cpu().c_str());
  std::printf("%-10s %6s %6s %6s\n", "family", "cases", "passed", "failed");
  for (const std::string& f : order) {
    const Tally& t = fam[f];
    std::printf("%-10s %6u %6u %6u\n", f.c_str(), t.cases, t.cases - t.failed, t.failed);
  }
  std::printf("%-10s %6zu %6zu %6u\n\n", "total", cases.size(), cases.size() - failed, failed);

  if (failed) {
    std::printf("failing forms (failed/cases):\n");
    for (const std::string& f : order) {
      if (!fam[f].failed) continue;
      std::vector<std::pair<std::string, Tally>> v(forms[f].begin(), forms[f].end());
      std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second.failed > b.second.failed; });
      std::string line;
      unsigned n = 0;
      for (auto& [form, t] : v) {
        if (!t.failed) break;
        if (n++ == 10) {
          line += " ...";
          break;
        }
        line += (line.empty() ? "" : ", ") + form + " (" + std::to_string(t.failed) + "/" + std::to_string(t.cases) + ")";
      }
      std::printf("  %-10s %s\n", f.c_str(), line.c_str());
    }
    std::printf("\nfirst failures (print one with --case FAMILY/K, same --seed and --count):\n\n%s", reports.c_str());
  }
  return failed ? 1 : 0;
}
