// The C API of `--emit=lib` / `--emit=shared`, as one table: each row is a
// function <prefix>_<name> forwarding to the runtime's aec_rt_<name>
// (runtime/include/aec/runtime.h). The wrappers (CApi.cpp) and the header's
// declarations (cHeader, Emit.cpp) are both generated from it, and
// test/unit/capi_test.cpp checks every row against runtime.h.
#pragma once

#include <string>
#include <vector>

namespace aec::codegen {

struct CApiParam {
  const char *type; // C type; "S*" is the model's session type
  const char *name;
};

struct CApiFunction {
  const char *name; // <prefix>_<name> -> aec_rt_<name>
  const char *ret;  // C return type ("S*": the session)
  std::vector<CApiParam> params;
  bool model = false;            // the runtime function takes `const aec_model *` first
  bool training = false;         // left out of inference-only builds
  const char *comment = nullptr; // the header's comment above it
  int wrapBefore = -1;           // header: the parameter that starts a continuation line
};

const std::vector<CApiFunction> &cApiFunctions();

// The C declaration of `f` for function prefix `prefix` ("fashion") and
// session type `session` ("fashion_session"), e.g.
// "int fashion_encode(fashion_session *s, const float *x, int64_t n, float *codes);".
// `runtime`: aec_rt_<name> with the runtime's own parameters instead.
std::string cDeclaration(const CApiFunction &f, const std::string &prefix,
                         const std::string &session, bool runtime = false);

} // namespace aec::codegen
