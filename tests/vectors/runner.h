// The conformance run over a directory of MOO vector files: discovery,
// metadata, known differences, the per-file table and the summary.
#pragma once
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace vec {

struct Options {
  std::string dir;
  bool verbose = false;
  int show_failures = 3;                 // per file, with verbose
  std::vector<std::string> only;         // substrings of the path relative to dir
  uint64_t max_per_file = UINT64_MAX;
  double min_pass_rate = -1;             // percent; < 0: no threshold
  bool audit_known = false;              // also run and compare known-difference skips
  bool jit = false;                      // run through the translator
  std::string jit_spec;                  // its --jit options
};

struct FileResult {
  std::string rel;        // path relative to dir
  std::string cpu_id;     // MOO header CPU id
  std::string opcode;     // file stem ("80.0")
  std::string mnemonic;
  uint64_t tests = 0, passed = 0, failed = 0, known = 0, revoked = 0;
  std::string note;       // short description of the first failure
};

struct Summary {
  std::vector<FileResult> files;
  uint64_t tests = 0, passed = 0, failed = 0, known = 0, revoked = 0;
  std::map<std::string, uint64_t> known_by_entry;  // "cpu id" -> vectors
  std::map<std::string, uint64_t> known_would_pass;  // with audit_known: of those, matched anyway
  std::map<std::string, uint64_t> adjusted, adjust_needed;  // with audit_known: Adjust entries applied / needed
  std::vector<std::string> errors;                 // unreadable or malformed input
  uint64_t compared() const { return passed + failed; }
};

// Runs every vector file under opt.dir, printing the table to `out`.
// Returns false (with errors in s) when the directory itself is unusable.
bool run_vectors(const Options& opt, std::ostream& out, Summary& s);

}  // namespace vec
