// The C API table (see CApiTable.h).
#include "compiler/codegen/CApiTable.h"

namespace aec::codegen {

const std::vector<CApiFunction> &cApiFunctions() {
  using P = std::vector<CApiParam>;
  const CApiParam s{"S*", "s"}, x{"const float *", "x"}, n{"int64_t", "n"},
      out{"float *", "out"};
  static const std::vector<CApiFunction> table = {
      {"create", "S*", {}, true, false,
       "/* A session: parameters (initialized from the model's seed, pretrained\n"
       " * layers loaded), optimizer state and workspace. NULL on error. */"},
      {"destroy", "void", P{s}},
      {"load", "int", P{s, {"const char *", "path"}}},
      {"save", "int", P{s, {"const char *", "path"}}},
      {"encode", "int", P{s, x, n, {"float *", "codes"}}},
      {"decode", "int", P{s, {"const float *", "codes"}, n, out}},
      {"sample", "int", P{s, {"int64_t", "count"}, {"uint64_t", "seed"}, out}, false, false,
       "/* Variational models: `count` decoded draws from N(0, I) into out. */"},
      {"reconstruct", "int", P{s, x, n, out}},
      {"set_weight_format", "int", P{s, {"const char *", "format"}}, false, false,
       "/* --weight-format bf16|int8 builds: that format (the default) or \"f32\"\n"
       " * weights for the inference calls; the copy is made from the f32 weights\n"
       " * at load. */"},
      {"layer_output", "int", P{s, {"int32_t", "layer"}, x, n, out}, false, false, nullptr, 4},
      {"last_error", "const char *", P{}},
      {"set_threads", "int", P{{"int", "threads"}}},
      {"score", "int", P{s, x, n, {"float *", "scores"}}, false, false,
       "/* Anomaly scores (issue 8): each sample's mean squared reconstruction\n"
       " * error, in the input's units; the threshold stored by `calibrate`\n"
       " * (an error if the loaded checkpoint has none). */"},
      {"threshold", "int", P{s, {"float *", "threshold"}}},
      {"train_step", "float", P{s, x, n}, false, true,
       "/* One optimizer step on a batch; returns the mean objective (NaN on error). */"},
      {"set_lr", "int", P{s, {"float", "lr"}}, false, true},
      {"export", "int", P{s, {"const char *", "npz_path"}}, false, true,
       "/* Weights as .npz in PyTorch's layout (torch.nn.Sequential state_dict\n"
       " * names, dense weights [out, in]; runtime/README.md) and back; a path\n"
       " * ending in .onnx exports the inference graph as ONNX instead. */"},
      {"import", "int", P{s, {"const char *", "npz_path"}}, false, true},
  };
  return table;
}

namespace {

// "const float *" + "x" -> "const float *x"; "int64_t" + "n" -> "int64_t n".
std::string typed(const std::string &type, const std::string &name) {
  return type.back() == '*' ? type + name : type + " " + name;
}

std::string cType(const char *t, const std::string &session) {
  return std::string(t) == "S*" ? session + " *" : t;
}

} // namespace

std::string cDeclaration(const CApiFunction &f, const std::string &prefix,
                         const std::string &session, bool runtime) {
  std::string s = typed(cType(f.ret, session), prefix + "_" + f.name) + "(";
  std::vector<std::string> params;
  if (runtime && f.model) params.push_back("const aec_model *model");
  for (const CApiParam &p : f.params) params.push_back(typed(cType(p.type, session), p.name));
  if (params.empty()) s += "void";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) s += static_cast<int>(i) == f.wrapBefore && !runtime ? ",\n    " : ", ";
    s += params[i];
  }
  return s + ");";
}

} // namespace aec::codegen
