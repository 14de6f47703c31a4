#include "runner.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "harness.h"
#include "known_differences.h"
#include "metadata.h"
#include "moo.h"

namespace vec {
namespace {

namespace fs = std::filesystem;

bool ends_with_ci(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t k = 0; k < suffix.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + k])) != suffix[k]) return false;
  return true;
}
bool is_moo(const std::string& name) { return ends_with_ci(name, ".moo.gz") || ends_with_ci(name, ".moo"); }
std::string stem(const std::string& name) {
  return name.substr(0, name.size() - (ends_with_ci(name, ".gz") ? 7 : 4));
}

bool is_string_op(uint16_t op) {
  return (op >= 0x6C && op <= 0x6F) || (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF);
}

// The instruction's mnemonic from the first test's disassembly, without prefixes.
std::string mnemonic_of(std::string_view name) {
  static const std::string_view skip[] = {"rep", "repe", "repz", "repne", "repnz", "lock"};
  size_t p = 0;
  while (p < name.size()) {
    while (p < name.size() && name[p] == ' ') ++p;
    size_t e = p;
    while (e < name.size() && name[e] != ' ' && name[e] != ',') ++e;
    std::string_view w = name.substr(p, e - p);
    if (w.empty()) break;
    if (std::find(std::begin(skip), std::end(skip), w) == std::end(skip) && w.back() != ':') return std::string(w);
    p = e;
  }
  return "?";
}

// Metadata and revocation list of one directory: the nearest file of that
// name in the directory or any parent.
struct DirInfo {
  Metadata meta;
  std::string meta_path;  // empty: none found
  Revocations rev;
  std::string rev_path;
};

std::string nearest(fs::path dir, const char* name) {
  std::error_code ec;
  for (;;) {
    fs::path p = dir / name;
    if (fs::is_regular_file(p, ec)) return p.string();
    fs::path up = dir.parent_path();
    if (up.empty() || up == dir) return "";
    dir = up;
  }
}

std::string rel_to(const fs::path& p, const fs::path& base) {
  std::error_code ec;
  fs::path r = fs::relative(p, base, ec);
  return ec || r.empty() ? p.string() : r.string();
}

std::string hex_bytes(std::span<const uint8_t> b) {
  std::string s;
  char buf[4];
  for (uint8_t x : b) {
    std::snprintf(buf, sizeof buf, "%02X ", x);
    s += buf;
  }
  if (!s.empty()) s.pop_back();
  return s;
}

// "ax flags ram" from a diff: the first word of every line, once each.
std::string short_note(const std::string& diff) {
  std::vector<std::string> words;
  size_t p = 0;
  while (p < diff.size()) {
    size_t e = diff.find('\n', p);
    if (e == std::string::npos) e = diff.size();
    std::string line = diff.substr(p, e - p);
    p = e + 1;
    size_t a = line.find_first_not_of(' ');
    if (a == std::string::npos) continue;
    std::string w;
    if (line.compare(a, 6, "no HLT") == 0) w = line.substr(a);  // keep the reason
    else w = line.substr(a, line.find_first_of(" [", a) - a);
    if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
  }
  std::string s;
  for (auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

void print_failure(std::ostream& out, const FileResult& fr, size_t pos, const Test& t, const InsnKey& k,
                   bool hlt_mode, const CompareOpts& o, const std::string& diff) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "FAIL %s test #%zu (index %u%s%s): %.*s\n", fr.rel.c_str(), pos, t.index,
                t.has_hash ? ", hash " : "", t.has_hash ? t.hash_hex().c_str() : "", int(t.name.size()),
                t.name.data());
  out << buf;
  std::snprintf(buf, sizeof buf, "  bytes: %s   (%s; flags compared %04X; metadata status '%.*s')\n",
                hex_bytes(t.bytes).c_str(), hlt_mode ? "run until HLT" : "one instruction", o.flags_mask,
                int(k.status.size()), k.status.data());
  out << buf << "  init:";
  for (unsigned r = 0; r < kNumRegs; ++r) {
    if (!t.init.has(r)) continue;
    std::snprintf(buf, sizeof buf, " %s=%04X", reg_name(r), t.init.v[r]);
    out << buf;
  }
  out << "\n" << diff;
}

}  // namespace

bool run_vectors(const Options& opt, std::ostream& out, Summary& s) {
  std::error_code ec;
  fs::path root = opt.dir;
  if (!fs::exists(root, ec)) {
    s.errors.push_back("vector directory '" + opt.dir + "' does not exist");
    return false;
  }
  if (!fs::is_directory(root, ec)) {
    s.errors.push_back("'" + opt.dir + "' is not a directory");
    return false;
  }
  root = fs::absolute(root, ec).lexically_normal();
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && is_moo(it->path().filename().string())) files.push_back(it->path());
  }
  if (ec) {
    s.errors.push_back("cannot read directory '" + opt.dir + "': " + ec.message());
    return false;
  }
  if (files.empty()) {
    s.errors.push_back("no *.MOO.gz or *.MOO vector files under '" + opt.dir + "'");
    return false;
  }
  std::sort(files.begin(), files.end());
  if (!opt.only.empty()) {
    std::erase_if(files, [&](const fs::path& p) {
      std::string r = rel_to(p, root);
      return std::none_of(opt.only.begin(), opt.only.end(), [&](const std::string& o) { return r.find(o) != std::string::npos; });
    });
    if (files.empty()) {
      s.errors.push_back("no vector file under '" + opt.dir + "' matches --only");
      return false;
    }
  }

  std::map<fs::path, std::unique_ptr<DirInfo>> dirs;
  std::unique_ptr<Harness> h20, h24;  // 8086-class and 286+ address spaces
  std::vector<Test> tests;
  fs::path cur_dir;
  FileResult section;  // totals of the current directory
  char buf[512];
  auto end_section = [&] {
    if (cur_dir.empty()) return;
    std::snprintf(buf, sizeof buf, "  %-8s %-10s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %6" PRIu64 "\n\n", "total",
                  "", section.tests, section.passed, section.failed, section.known);
    out << buf;
  };

  for (const fs::path& path : files) {
    FileResult fr;
    fr.rel = rel_to(path, root);
    std::string name = path.filename().string();
    fr.opcode = stem(name);
    std::string err;
    MooFile mf;
    if (!mf.load(path.string(), &err) || !mf.parse_tests(tests, &err)) {
      s.errors.push_back(fr.rel + ": " + err);
      std::fprintf(stderr, "xlat86-vectors: error: %s: %s\n", fr.rel.c_str(), err.c_str());
      continue;
    }
    fr.cpu_id = mf.cpu_id;
    fr.mnemonic = !mf.meta_mnemonic.empty() ? mf.meta_mnemonic : tests.empty() ? "?" : mnemonic_of(tests[0].name);

    fs::path dir = path.parent_path();
    auto& di = dirs[dir];
    if (!di) {
      di = std::make_unique<DirInfo>();
      di->meta_path = nearest(dir, "metadata.json");
      if (!di->meta_path.empty() && !di->meta.load(di->meta_path, &err)) {
        s.errors.push_back(err);
        std::fprintf(stderr, "xlat86-vectors: error: %s (flags compared unmasked)\n", err.c_str());
        di->meta_path.clear();
      }
      di->rev_path = nearest(dir, "revocation_list.txt");
      if (!di->rev_path.empty() && !di->rev.load(di->rev_path, &err)) {
        s.errors.push_back(err);
        di->rev_path.clear();
      }
    }
    const CpuKind kind = cpu_kind(mf.cpu_id);
    // The 286 vectors end every instruction with a HLT (also placed at branch
    // targets and handlers); the 8086 ones do not: execute one instruction.
    const bool hlt_mode = !tests.empty() && std::all_of(tests.begin(), tests.end(), [](const Test& t) {
      return t.bytes.back() == 0xF4;
    });
    if (dir != cur_dir) {
      end_section();
      cur_dir = dir;
      section = FileResult{};
      std::snprintf(buf, sizeof buf, "== %s  (cpu %s, %s; metadata: %s; revocation list: %s (%zu hashes))\n",
                    rel_to(dir, root).c_str(), mf.cpu_id.c_str(), hlt_mode ? "run until HLT" : "one instruction",
                    di->meta_path.empty() ? "none" : rel_to(di->meta_path, root).c_str(),
                    di->rev_path.empty() ? "none" : rel_to(di->rev_path, root).c_str(), di->rev.size());
      out << buf;
      std::snprintf(buf, sizeof buf, "  %-8s %-10s %8s %8s %8s %6s  %s\n", "opcode", "mnemonic", "tests", "passed",
                    "failed", "known", "first failure");
      out << buf;
    }

    std::unique_ptr<Harness>& hp = wraps_1mib(mf.cpu_id) ? h20 : h24;
    if (!hp) {
      hp = std::make_unique<Harness>(wraps_1mib(mf.cpu_id));
      if (opt.jit) hp->use_jit(opt.jit_spec);
    }
    Harness& h = *hp;
    h.begin_file();
    const uint32_t keep = init_flags_keep(kind);
    int shown = 0;
    for (size_t n = 0; n < tests.size() && n < opt.max_per_file; ++n) {
      const Test& t = tests[n];
      ++fr.tests;
      if (di->rev.size() && t.has_hash && di->rev.contains(t.hash_hex())) {
        ++fr.revoked;
        continue;
      }
      const InsnKey k = di->meta.key(t.bytes);
      TestCtx x{t, k, t.bytes.size() - (hlt_mode ? 1 : 0)};
      const KnownDiff* kd = find_skip(kind, x, Stage::Before);
      RunInfo ri;
      if (!kd) {
        ri = h.run(t, hlt_mode, (k.rep || k.repne) && is_string_op(k.opcode), keep);
        x.run = &ri;
        kd = find_skip(kind, x, Stage::After);
      }
      auto opts = [&](const KnownDiff* except) {
        CompareOpts o;
        o.flags_mask = k.flags_mask;
        o.top_mask = mf.top_mask.present ? &mf.top_mask : nullptr;
        apply_adjustments(kind, x, o, except);
        if (t.has_excp) {
          // The frame's FLAGS word is at final SS:SP+4. The vectors give its
          // address rounded down to even when SP was odd: use the real one then.
          uint32_t frame = ((x.fina(SS) & 0xFFFF) << 4) + ((x.fina(SP) + 4) & 0xFFFF);
          uint32_t at = (frame & ~1u) == t.excp_flags_addr ? frame : t.excp_flags_addr;
          o.mask_pushed_flags(at, o.flags_mask);
        }
        return o;
      };
      const CompareOpts o = opts(nullptr);
      if (kd) {
        ++fr.known;
        const std::string key = std::string(cpu_kind_name(kind)) + " " + kd->id;
        ++s.known_by_entry[key];
        if (opt.audit_known) {  // would it have matched anyway? (entries that always match are suspect)
          if (!x.run) {
            ri = h.run(t, hlt_mode, (k.rep || k.repne) && is_string_op(k.opcode), keep);
            x.run = &ri;
          }
          bool same = h.compare(t, ri, o, nullptr);
          s.known_would_pass[key] += same;
          if (same && opt.verbose && shown < opt.show_failures) {
            ++shown;
            out << "MATCHED ANYWAY [" << key << "] " << fr.rel << " test #" << n << ": " << t.name << "  bytes "
                << hex_bytes(t.bytes) << "\n";
          }
        }
        if (x.run) h.restore();
        continue;
      }
      if (opt.audit_known) {  // which adjustments this vector needed
        for_each_adjustment(kind, x, [&](const KnownDiff& d) {
          const std::string key = std::string(cpu_kind_name(kind)) + " " + d.id;
          ++s.adjusted[key];
          s.adjust_needed[key] += !h.compare(t, ri, opts(&d), nullptr);
        });
      }
      if (h.compare(t, ri, o, nullptr)) {
        ++fr.passed;
      } else {
        ++fr.failed;
        bool show = opt.verbose && shown < opt.show_failures;
        if (fr.failed == 1 || show) {
          std::string diff;
          h.compare(t, ri, o, &diff);
          if (fr.failed == 1) fr.note = short_note(diff);
          if (show) {
            ++shown;
            print_failure(out, fr, n, t, k, hlt_mode, o, diff);
          }
        }
      }
      h.restore();
    }
    std::string note = fr.note;
    if (fr.revoked) note += (note.empty() ? "" : "; ") + std::to_string(fr.revoked) + " revoked";
    std::snprintf(buf, sizeof buf, "  %-8s %-10s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %6" PRIu64 "  %s\n",
                  fr.opcode.c_str(), fr.mnemonic.c_str(), fr.tests, fr.passed, fr.failed, fr.known, note.c_str());
    out << buf << std::flush;
    for (FileResult* acc : {&section}) {
      acc->tests += fr.tests; acc->passed += fr.passed; acc->failed += fr.failed;
      acc->known += fr.known; acc->revoked += fr.revoked;
    }
    s.tests += fr.tests; s.passed += fr.passed; s.failed += fr.failed;
    s.known += fr.known; s.revoked += fr.revoked;
    s.files.push_back(std::move(fr));
  }
  end_section();
  return true;
}

}  // namespace vec
