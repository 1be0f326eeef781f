// A directory of compiled objects, keyed by everything that determines them
// (issue 13.6): the part's bitcode (its closures with their kernels inlined),
// the target machine, the IR optimization level, LLVM's command-line options
// (AEC_LLVM_OPTIONS) and this aec executable (its size and modification time,
// as ccache's default compiler check). Rebuilding an unchanged model, or one
// whose only changes are in its tables (learning rate, epochs, seed...),
// reads the closures' objects back instead of optimizing and compiling them.
//
// A cache is an accelerator, never a source of errors: a directory that
// cannot be created or written, a failed write, or an entry that is not an
// object file (then removed) all mean "compile it". Entries are written to a
// temporary file and renamed, so concurrent builds never see a partial one.
// LLVM's pruneCache keeps the directory under its size and age limits.
#pragma once

#include <llvm/ADT/StringRef.h>
#include <llvm/Target/TargetMachine.h>

#include <optional>
#include <string>

namespace aec::codegen {

class ObjectCache {
public:
  // No cache when `dir` is empty.
  explicit ObjectCache(std::string dir) : dir_(std::move(dir)) {}

  // AEC_CACHE_DIR, else $XDG_CACHE_HOME/aec, else $HOME/.cache/aec; empty
  // when none of them is set.
  static std::string defaultDir();

  bool enabled() const { return !dir_.empty(); }
  const std::string &dir() const { return dir_; }

  // The entry name of a part's object (a hex digest).
  std::string key(llvm::StringRef bitcode, const llvm::TargetMachine &tm, int optLevel) const;

  // The stored object, if there is one and it parses as an object file.
  std::optional<std::string> lookup(const std::string &key) const;

  // Stores an object under `key`; false (and nothing stored) if it cannot.
  bool store(const std::string &key, llvm::StringRef object) const;

  // Drops the entries past the size limit (oldest first) or unused for two
  // weeks; runs at most every 20 minutes (a timestamp file in the directory).
  void prune() const;

private:
  std::string path(const std::string &key) const;
  std::string dir_;
};

} // namespace aec::codegen
