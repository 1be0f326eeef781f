// The C API table (compiler/codegen/CApiTable.cpp) against the runtime it forwards
// to: every row's aec_rt_<name> is declared in runtime/include/aec/runtime.h
// with the same return and parameter types (names may differ).
#include "compiler/codegen/CApiTable.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace {

// "int aec_rt_encode(aec_session *s, const float *x, int64_t n, float *codes);"
// -> "int aec_rt_encode(aec_session*,const float*,int64_t,float*)": types only.
std::string signature(std::string decl) {
  decl = std::regex_replace(decl, std::regex(R"(\s+)"), " ");
  std::smatch m;
  if (!std::regex_search(decl, m, std::regex(R"(^\s*(.*?)\s*\b(aec_rt_\w+)\((.*)\);)"))) return "";
  auto typeOf = [](std::string p) {
    p = std::regex_replace(p, std::regex(R"(\s*\b\w+\s*$)"), ""); // drop the name
    p = std::regex_replace(p, std::regex(R"(\s*\*\s*)"), "*");
    return std::regex_replace(p, std::regex(R"(^\s+|\s+$)"), "");
  };
  std::string ret = std::regex_replace(m[1].str(), std::regex(R"(\s*\*\s*)"), "*");
  std::string out = ret + " " + m[2].str() + "(";
  std::string params = m[3].str();
  if (params != "void") {
    std::stringstream ss(params);
    std::string p;
    bool first = true;
    while (std::getline(ss, p, ',')) {
      out += (first ? "" : ",") + typeOf(p);
      first = false;
    }
  }
  return out + ")";
}

TEST(CApi, EveryRowMatchesTheRuntime) {
  std::ifstream in(std::string(AEC_SOURCE_ROOT) + "/runtime/include/aec/runtime.h");
  std::stringstream text;
  text << in.rdbuf();
  const std::string header = text.str();
  for (const aec::codegen::CApiFunction &f : aec::codegen::cApiFunctions()) {
    std::string want = signature(aec::codegen::cDeclaration(f, "aec_rt", "aec_session", true));
    ASSERT_FALSE(want.empty()) << f.name;
    std::smatch m;
    std::regex decl("[^;/]*\\baec_rt_" + std::string(f.name) + "\\([^;()]*\\);");
    ASSERT_TRUE(std::regex_search(header, m, decl)) << "aec_rt_" << f.name << " not in runtime.h";
    EXPECT_EQ(signature(m[0].str()), want);
  }
}

TEST(CApi, HeaderDeclarations) {
  const auto &t = aec::codegen::cApiFunctions();
  EXPECT_EQ(aec::codegen::cDeclaration(t[0], "m", "m_session"), "m_session *m_create(void);");
  for (const auto &f : t)
    if (std::string(f.name) == "layer_output")
      EXPECT_EQ(aec::codegen::cDeclaration(f, "m", "m_session"),
                "int m_layer_output(m_session *s, int32_t layer, const float *x, int64_t n,\n"
                "    float *out);");
}

} // namespace

