// Sema unit tests: Model.cpp arithmetic and hash, the checks that the parser
// normally pre-empts (on hand-built ASTs), and checkFile end to end on
// temporary files (mirror rules, poison: one mistake gives one error, and
// hostile inputs that must not crash).
#include "compiler/sema/Model.h"
#include "compiler/sema/Sema.h"
#include "compiler/sema/SemaInternal.h"
#include "compiler/show/Show.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>

namespace aec {
namespace {

Layer dense(int64_t in, int64_t units) {
  Layer l;
  l.kind = LayerKind::Dense;
  l.in = Shape{{in}};
  l.out = Shape{{units}};
  l.units = units;
  return l;
}

TEST(SemaModel, ShapeStrAndNames) {
  EXPECT_EQ(Shape({{16, 14, 14}}).str(), "[16, 14, 14]");
  EXPECT_EQ(Shape({{784}}).str(), "[784]");
  EXPECT_STREQ(layerKindName(LayerKind::MaxPool), "maxpool");
  EXPECT_STREQ(layerKindName(LayerKind::Conv1D), "conv");
  EXPECT_STREQ(activationName(Activation::LeakyRelu), "leaky_relu");
  EXPECT_STREQ(sectionName(Section::Code), "code");
}

TEST(SemaModel, CountsPerKind) {
  Layer d = dense(784, 512);
  EXPECT_EQ(d.weightCount(), 784 * 512);
  EXPECT_EQ(d.biasCount(), 512);
  EXPECT_EQ(d.macsPerSample(), 784 * 512);
  d.tiedTo = 0; // the transpose of another layer's weight: only the bias is its own
  EXPECT_EQ(d.weightCount(), 0);
  EXPECT_EQ(d.paramCount(), 512);
  EXPECT_EQ(d.macsPerSample(), 784 * 512);

  Layer c;
  c.kind = LayerKind::Conv2D;
  c.in = Shape{{16, 14, 14}};
  c.out = Shape{{8, 14, 14}};
  c.channels = 8;
  c.kernel = 3;
  EXPECT_EQ(c.weightCount(), 8 * 16 * 9);
  EXPECT_EQ(c.biasCount(), 8);
  EXPECT_EQ(c.macsPerSample(), 8 * 14 * 14 * 16 * 9);

  Layer c1;
  c1.kind = LayerKind::Conv1D;
  c1.in = Shape{{2, 16}};
  c1.out = Shape{{4, 8}};
  c1.channels = 4;
  c1.kernel = 3;
  c1.stride = 2;
  EXPECT_EQ(c1.weightCount(), 4 * 2 * 3);
  EXPECT_EQ(c1.macsPerSample(), 4 * 8 * 2 * 3);

  Layer p;
  p.kind = LayerKind::MaxPool;
  p.in = Shape{{8, 14, 14}};
  p.out = Shape{{8, 7, 7}};
  p.factor = 2;
  EXPECT_EQ(p.paramCount(), 0);
  EXPECT_EQ(p.macsPerSample(), 0);
}

TEST(SemaModel, CountsSaturateInsteadOfOverflowing) {
  Layer d = dense(int64_t(1) << 40, int64_t(1) << 40);
  EXPECT_EQ(d.weightCount(), std::numeric_limits<int64_t>::max());
}

TEST(SemaModel, TrainableFrozenAndHash) {
  CheckedModel m;
  m.input = Shape{{10}};
  m.layers = {dense(10, 4), dense(4, 2), dense(2, 4), dense(4, 10)};
  m.layers[0].frozen = true;
  m.codeIndex = 1;
  EXPECT_EQ(m.frozenParams(), 44);
  EXPECT_EQ(m.trainableParams(), 10 + 12 + 50);

  uint64_t h = m.architectureHash();
  CheckedModel hyper = m;
  hyper.train.lr = 0.5;
  hyper.train.epochs = 99;
  hyper.train.batch = 7;
  EXPECT_EQ(hyper.architectureHash(), h) << "hyperparameters are not architecture";
  CheckedModel act = m;
  act.layers[1].activation = Activation::Tanh;
  EXPECT_NE(act.architectureHash(), h);
  CheckedModel tied = m;
  tied.layers[2].tiedTo = 1;
  EXPECT_NE(tied.architectureHash(), h);
  CheckedModel loss = m;
  loss.loss = LossKind::BCE;
  EXPECT_NE(loss.architectureHash(), h);
  CheckedModel noise = m;
  noise.noise = NoiseKind::Mask;
  EXPECT_NE(noise.architectureHash(), h);
}

// ---- checks on hand-built ASTs (the parser reports these first) ----

struct Harness {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  SemaOptions options;
  sema::SemaContext ctx{sources, diags, options};
  FileId file = sources.add("mem.ae", "dense relu maxpool 2 relu");
};

TEST(SemaNames, LayerWithoutSize) {
  Harness h;
  ast::LayerStmt s;
  s.kind.name = "dense";
  s.range = SourceRange{h.file, 0, 10};
  EXPECT_FALSE(sema::checkLayerNames(s, h.ctx));
  EXPECT_EQ(h.diags.errorCount(), 1u);
}

TEST(SemaNames, PoolWithActivation) {
  Harness h;
  ast::LayerStmt s;
  s.kind.name = "maxpool";
  s.range = SourceRange{h.file, 11, 25};
  ast::Value two;
  two.number = 2;
  two.isInteger = true;
  two.text = "2";
  s.size = two;
  s.activation = ast::Ident{"relu", SourceRange{h.file, 21, 25}};
  EXPECT_FALSE(sema::checkLayerNames(s, h.ctx));
  EXPECT_EQ(h.diags.errorCount(), 1u);
}

TEST(SemaNames, DidYouMean) {
  EXPECT_EQ(sema::didYouMean("rleu", activationKeywords()), "; did you mean `relu`?");
  EXPECT_EQ(sema::didYouMean("zzzzzz", activationKeywords()), "");
}

// ---- checkFile end to end ----

class SemaFile : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("aec_sema_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // Checks `text`; returns the models and leaves the error count in `errors`.
  std::vector<CheckedModel> check(const std::string &text, const std::string &model = "") {
    std::string path = (dir_ / "m.ae").string();
    std::ofstream(path) << text;
    SourceManager sources;
    DiagnosticEngine diags(sources);
    SemaOptions o;
    o.stdlibDir = (std::filesystem::path(AEC_SOURCE_ROOT) / "stdlib").string();
    o.modelName = model;
    SemaResult r = checkFile(path, o, sources, diags);
    errors = diags.errorCount();
    std::FILE *null = std::fopen("/dev/null", "w");
    diags.flush(null ? null : stderr);
    if (null) std::fclose(null);
    return r.models;
  }
  std::filesystem::path dir_;
  unsigned errors = 0;
};

TEST_F(SemaFile, FashionDenseMirror) {
  auto models = check(R"(model f {
  input 784 range [0, 1]
  encoder { dense 512 relu  dense 128 relu }
  code 32
  decoder mirror
})");
  ASSERT_EQ(errors, 0u);
  ASSERT_EQ(models.size(), 1u);
  const CheckedModel &m = models[0];
  ASSERT_EQ(m.layers.size(), 6u);
  EXPECT_EQ(m.layers[2].name, "code");
  EXPECT_EQ(m.codeIndex, 2);
  EXPECT_EQ(m.layers[3].units, 128);
  EXPECT_EQ(m.layers[3].activation, Activation::Relu);
  EXPECT_EQ(m.layers[4].units, 512);
  EXPECT_EQ(m.layers[5].units, 784);
  EXPECT_EQ(m.layers[5].activation, Activation::Sigmoid);
  EXPECT_EQ(m.layers[5].mirrors, 0);
  EXPECT_EQ(m.loss, LossKind::BCE);
}

TEST_F(SemaFile, TiedSetsTiedTo) {
  auto models = check(R"(model t {
  input 20
  encoder { dense 10 relu }
  code 5
  decoder mirror tied
})");
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].layers[2].tiedTo, 1);
  EXPECT_EQ(models[0].layers[3].tiedTo, 0);
  EXPECT_EQ(models[0].layers[3].paramCount(), 20);
}

TEST_F(SemaFile, OneMistakeOneError) {
  // The pool error poisons the shape: no cascade into code, decoder, loss.
  check(R"(model p {
  input [1, 28, 28] range [0, 1]
  encoder { conv 4 3x3 relu  maxpool 3  conv 2 3x3 relu  dense 10 }
  code 4
  decoder mirror
})");
  EXPECT_EQ(errors, 1u);
}

TEST_F(SemaFile, SeveralModelsAndSelection) {
  const char *text = R"(model a {
  input 10
  encoder { dense 5 relu }
  code 2
  decoder mirror
}
model b {
  input 12
  encoder { dense 6 relu }
  code 3
  decoder mirror
})";
  EXPECT_EQ(check(text).size(), 2u);
  auto b = check(text, "b");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].name, "b");
  EXPECT_TRUE(check(text, "c").empty());
  EXPECT_EQ(errors, 1u);
}

TEST_F(SemaFile, HostileInputsDoNotCrash) {
  const char *inputs[] = {
      "model m { input [2147483647, 2147483647, 2] encoder { dense 1 } code 1 decoder mirror }",
      "model m { input [1, 4, 4] encoder { upsample 2147483647 } code 1 decoder mirror noise mask 0.1 }",
      "model m { input [1, 4, 4] encoder { conv 1 2147483647x2147483647 } code 1 decoder mirror }",
      "model m { input 4 encoder { } code 4 decoder mirror noise mask 0.5 }",
      "model m { input 4 encoder { } code [4] decoder mirror }",
      "model m { input 4 encoder { dense 2 } code 1 decoder { } }",
      "model m { input 4 encoder { dense 2 } code 1 decoder asymmetric { } }",
      "model m { input [1, 2, 2] encoder { flatten } code 1 decoder { dense 4 upsample 2 } }",
      "block a(x) { a(x) } model m { input 4 encoder { a(1) } code 1 decoder mirror }",
      "model m { input -5 encoder { dense -1 } code 0 decoder mirror }",
      "model m { input 1e309 encoder { dense 99999999999999999999 } code 1 decoder mirror }",
      "model m { input [1, 3] encoder { conv 2 3 relu stride 2 } code 1 decoder mirror }",
      "model m { input 4 range [0, 1e309] encoder { dense 2 } code 1 decoder mirror "
      "train { batch 1e300 epochs 1e19 seed -1 } }",
  };
  for (const char *text : inputs) {
    check(text);
    SUCCEED() << text;
  }
}

} // namespace
} // namespace aec
