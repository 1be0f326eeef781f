// The object cache (see ObjectCache.h).
#include "compiler/codegen/ObjectCache.h"

#include <llvm/ADT/StringExtras.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/BLAKE3.h>
#include <llvm/Support/CachePruning.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/raw_ostream.h>

#include <chrono>
#include <cstdlib>

namespace aec::codegen {

namespace {

// Bumped when what an entry holds, or how its key is made, changes.
constexpr const char *kFormat = "aec-object-cache-1";

std::string envOr(const char *name) {
  const char *v = std::getenv(name);
  return v ? v : "";
}

// This executable's identity: its path, size and modification time.
std::string executableStamp() {
  const std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::sys::fs::file_status st;
  if (exe.empty() || llvm::sys::fs::status(exe, st)) return "unknown";
  const auto mtime = st.getLastModificationTime().time_since_epoch();
  return exe + ":" + std::to_string(st.getSize()) + ":" +
         std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(mtime).count());
}

} // namespace

std::string ObjectCache::defaultDir() {
  if (std::string d = envOr("AEC_CACHE_DIR"); !d.empty()) return d;
  if (std::string x = envOr("XDG_CACHE_HOME"); !x.empty()) return x + "/aec";
  if (std::string h = envOr("HOME"); !h.empty()) return h + "/.cache/aec";
  return "";
}

std::string ObjectCache::key(llvm::StringRef bitcode, const llvm::TargetMachine &tm,
                             int optLevel) const {
  llvm::BLAKE3 h;
  // Every field ends with a NUL so that no two field lists hash alike.
  auto field = [&](llvm::StringRef s) {
    h.update(s);
    h.update(llvm::StringRef("", 1));
  };
  static const std::string stamp = executableStamp();
  field(kFormat);
  field(LLVM_VERSION_STRING);
  field(stamp);
  field(envOr("AEC_LLVM_OPTIONS"));
  field(tm.getTargetTriple().str());
  field(tm.getTargetCPU());
  field(tm.getTargetFeatureString());
  field(std::to_string(static_cast<int>(tm.getRelocationModel())) + "/" +
        std::to_string(static_cast<int>(tm.getCodeModel())) + "/" +
        std::to_string(static_cast<int>(tm.getOptLevel())) + "/" + std::to_string(optLevel));
  field(bitcode);
  const auto digest = h.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

// "llvmcache-": the prefix pruneCache manages.
std::string ObjectCache::path(const std::string &key) const {
  return dir_ + "/llvmcache-aec-" + key + ".o";
}

std::optional<std::string> ObjectCache::lookup(const std::string &key) const {
  if (!enabled()) return std::nullopt;
  const std::string file = path(key);
  auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) return std::nullopt;
  auto object = llvm::object::ObjectFile::createObjectFile((*buffer)->getMemBufferRef());
  if (!object) {
    // Not an object (damaged, truncated by hand): drop it, compile again.
    llvm::consumeError(object.takeError());
    llvm::sys::fs::remove(file);
    return std::nullopt;
  }
  return (*buffer)->getBuffer().str();
}

bool ObjectCache::store(const std::string &key, llvm::StringRef object) const {
  if (!enabled() || llvm::sys::fs::create_directories(dir_)) return false;
  llvm::SmallString<256> temp;
  int fd = -1;
  if (llvm::sys::fs::createUniqueFile(dir_ + "/llvmcache-tmp-%%%%%%%%", fd, temp)) return false;
  bool ok;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object;
    os.close();
    ok = !os.has_error();
    os.clear_error();
  }
  if (ok) ok = !llvm::sys::fs::rename(temp, path(key));
  if (!ok) llvm::sys::fs::remove(temp);
  return ok;
}

void ObjectCache::prune() const {
  if (!enabled() || !llvm::sys::fs::is_directory(dir_)) return;
  llvm::CachePruningPolicy policy;
  policy.Interval = std::chrono::minutes(20);
  policy.Expiration = std::chrono::hours(14 * 24);
  policy.MaxSizePercentageOfAvailableSpace = 10;
  policy.MaxSizeBytes = 512ull << 20;
  llvm::pruneCache(dir_, policy);
}

} // namespace aec::codegen
