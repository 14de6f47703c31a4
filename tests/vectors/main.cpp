// xlat86-vectors: runs the SingleStepTests (MOO) CPU conformance vectors on
// the interpreter. Usage and output: tests/vectors/README.md.
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>

#include "known_differences.h"
#include "runner.h"

namespace vec {
int run_self_test();  // selftest.cpp
}

namespace {

constexpr int kExitBelowRate = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSkipped = 77;  // ctest SKIP_RETURN_CODE

void usage(FILE* f) {
  std::fprintf(f,
               "usage: xlat86-vectors [options] DIR\n"
               "Runs every *.MOO.gz / *.MOO vector file under DIR (recursively) on the interpreter.\n"
               "  -v, --verbose          print the first failures of each file with a register/RAM diff\n"
               "  --show N               with --verbose: failures shown per file (default 3)\n"
               "  --only SUBSTR          only files whose path relative to DIR contains SUBSTR (repeatable)\n"
               "  --max-per-file N       run at most N tests of each file\n"
               "  --min-pass-rate P      exit 1 when fewer than P percent of the compared vectors pass\n"
"  --cpu interp|jit       the engine (jit: the translator, each instruction translated on its own)\n"
               "  --jit OPTS             translator options (see xlat86 --help), after max-insns=1\n"
               "  --skip-missing         if DIR does not exist, say so and exit 77 (ctest: skipped)\n"
               "  --list-known           print the known-differences table and exit\n"
               "  --audit-known          also run the known-difference vectors and count those that match anyway\n"
               "  --self-test            run the built-in synthetic vectors (parser and comparison check)\n"
               "Exit status: 0 run completed, 1 below --min-pass-rate, 2 bad usage or unreadable input.\n");
}

bool parse_u64(const char* s, uint64_t& v) {
  char* end = nullptr;
  errno = 0;
  unsigned long long x = std::strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-') return false;
  v = x;
  return true;
}

void list_known() {
  for (const vec::KnownDiff& d : vec::known_differences()) {
    char ops[32];
    if (d.op_lo == 0 && d.op_hi == 0xFFFF) std::snprintf(ops, sizeof ops, "all");
    else if (d.op_lo == d.op_hi) std::snprintf(ops, sizeof ops, "%02X", d.op_lo);
    else std::snprintf(ops, sizeof ops, "%02X-%02X", d.op_lo, d.op_hi);
    std::printf("%-6s %-32s %-6s reg %-3s %-6s %s\n  %s\n", vec::cpu_kind_name(d.cpu), d.id, ops,
                d.reg < 0 ? "any" : std::to_string(d.reg).c_str(),
                d.action == vec::Action::Skip ? "skip" : "adjust", d.pred ? "(predicate)" : "", d.reason);
  }
}

}  // namespace

int main(int argc, char** argv) {
  vec::Options opt;
  bool skip_missing = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* what) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "xlat86-vectors: %s needs a value\n", what);
        std::exit(kExitUsage);
      }
      return argv[++i];
    };
    uint64_t n;
    if (a == "-v" || a == "--verbose") {
      opt.verbose = true;
    } else if (a == "--show") {
      if (!parse_u64(value("--show"), n)) { std::fprintf(stderr, "xlat86-vectors: --show needs a number\n"); return kExitUsage; }
      opt.show_failures = int(n);
    } else if (a == "--only") {
      opt.only.push_back(value("--only"));
    } else if (a == "--max-per-file") {
      if (!parse_u64(value("--max-per-file"), n) || n == 0) {
        std::fprintf(stderr, "xlat86-vectors: --max-per-file needs a positive number\n");
        return kExitUsage;
      }
      opt.max_per_file = n;
    } else if (a == "--min-pass-rate") {
      const char* v = value("--min-pass-rate");
      char* end = nullptr;
      opt.min_pass_rate = std::strtod(v, &end);
      if (end == v || *end || opt.min_pass_rate < 0 || opt.min_pass_rate > 100) {
        std::fprintf(stderr, "xlat86-vectors: --min-pass-rate needs a percentage (0-100)\n");
        return kExitUsage;
      }
    } else if (a == "--audit-known") {
      opt.audit_known = true;
    } else if (a == "--cpu") {
      std::string e = value("--cpu");
      if (e != "interp" && e != "jit") { std::fprintf(stderr, "xlat86-vectors: --cpu interp|jit\n"); return kExitUsage; }
      opt.jit = e == "jit";
    } else if (a == "--jit") {
      opt.jit_spec = value("--jit");
    } else if (a == "--skip-missing") {
      skip_missing = true;
    } else if (a == "--list-known") {
      list_known();
      return 0;
    } else if (a == "--self-test") {
      return vec::run_self_test();
    } else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "xlat86-vectors: unknown option %s\n", a.c_str());
      usage(stderr);
      return kExitUsage;
    } else if (opt.dir.empty()) {
      opt.dir = a;
    } else {
      std::fprintf(stderr, "xlat86-vectors: only one DIR may be given\n");
      return kExitUsage;
    }
  }
  if (opt.dir.empty()) {
    usage(stderr);
    return kExitUsage;
  }
  std::error_code ec;
  if (skip_missing && !std::filesystem::exists(opt.dir, ec)) {
    std::printf("SingleStepTests vectors not found at %s: skipped\n", opt.dir.c_str());
    return kExitSkipped;
  }

  vec::Summary s;
  if (!vec::run_vectors(opt, std::cout, s)) {
    for (const std::string& e : s.errors) std::fprintf(stderr, "xlat86-vectors: %s\n", e.c_str());
    return kExitUsage;
  }

  // Per-CPU totals.
  struct Tot { uint64_t files = 0, tests = 0, passed = 0, failed = 0, known = 0, revoked = 0; };
  std::map<std::string, Tot> cpus;
  for (const vec::FileResult& f : s.files) {
    Tot& t = cpus[f.cpu_id];
    ++t.files; t.tests += f.tests; t.passed += f.passed; t.failed += f.failed; t.known += f.known; t.revoked += f.revoked;
  }
  std::printf("per-CPU totals:\n");
  for (const auto& [id, t] : cpus) {
    uint64_t cmp = t.passed + t.failed;
    std::printf("  %-5s files %4" PRIu64 "  tests %7" PRIu64 "  passed %7" PRIu64 "  failed %7" PRIu64
                "  known differences %6" PRIu64 "  revoked %" PRIu64 "  (%.2f%% of compared)\n",
                id.c_str(), t.files, t.tests, t.passed, t.failed, t.known, t.revoked,
                cmp ? 100.0 * double(t.passed) / double(cmp) : 0.0);
  }
  if (!s.known_by_entry.empty()) {
    std::printf("known differences by entry:\n");
    for (const auto& [id, n] : s.known_by_entry) {
      std::printf("  %7" PRIu64 "  %s", n, id.c_str());
      if (opt.audit_known) std::printf("  (%" PRIu64 " would match anyway)", s.known_would_pass[id]);
      std::printf("\n");
    }
  }
  if (opt.audit_known) {
    std::printf("comparison adjustments (applied / needed, i.e. the vector fails without it):\n");
    for (const auto& [id, n] : s.adjusted)
      std::printf("  %7" PRIu64 " / %7" PRIu64 "  %s\n", n, s.adjust_needed[id], id.c_str());
  }
  int rc = 0;
  const uint64_t m = s.compared();
  const double rate = m ? 100.0 * double(s.passed) / double(m) : 0.0;
  if (s.revoked) std::printf("revoked: %" PRIu64 " vectors skipped (revocation lists)\n", s.revoked);
  if (!s.errors.empty()) {
    std::printf("errors: %zu file(s) could not be used (see stderr)\n", s.errors.size());
    rc = kExitUsage;
  }
  if (opt.min_pass_rate >= 0) {
    bool below = m == 0 || rate < opt.min_pass_rate;
    std::printf("pass rate %.3f%% %s the required %.3f%%\n", rate, below ? "is BELOW" : "meets", opt.min_pass_rate);
    if (below && rc == 0) rc = kExitBelowRate;
  }
  std::printf("known differences: %" PRIu64 " vectors skipped (see tests/vectors/known_differences.cpp)\n", s.known);
  std::printf("passed %" PRIu64 " of %" PRIu64 "\n", s.passed, m);
  return rc;
}
