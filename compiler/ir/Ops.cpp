// The op table (Ops.def): names, operand counts, phases, result roles,
// emitter families and printed attributes, one row per op kind, read by the
// printer, the reader, the verifier and codegen's dispatch.
#include "compiler/ir/IR.h"

namespace aec::ir {

namespace {

using namespace attr;
#define AEC_OP_ATTRS(...) {__VA_ARGS__}
const OpInfo kOps[] = {
#define AEC_OP(Name, text, phase, minIns, maxIns, out, out2, family, check, infer, attrs)      \
  {text, OpInfo::PhaseRule::phase, minIns, maxIns, OpInfo::Result::out, Out2::out2,            \
   OpInfo::Family::family, OpInfo::Check::check, OpInfo::Infer::infer, AEC_OP_ATTRS attrs},
#include "compiler/ir/Ops.def"
};
#undef AEC_OP_ATTRS

constexpr size_t kOpCount = 0
#define AEC_OP(...) +1
#include "compiler/ir/Ops.def"
    ;
static_assert(sizeof(kOps) / sizeof(kOps[0]) == kOpCount, "one row per op kind");

} // namespace

const OpInfo &opInfo(OpKind k) { return kOps[static_cast<size_t>(k)]; }

const char *opKindName(OpKind k) {
  return static_cast<size_t>(k) < kOpCount ? opInfo(k).name : "?"; // past the last kind: "?"
}

bool inPhase(OpKind k, Phase p) {
  switch (opInfo(k).phase) {
  case OpInfo::PhaseRule::Forward: return p == Phase::Forward;
  case OpInfo::PhaseRule::Backward: return p == Phase::Backward;
  case OpInfo::PhaseRule::Update: return p == Phase::Update;
  case OpInfo::PhaseRule::Any: return p != Phase::Update;
  }
  return false;
}

} // namespace aec::ir
