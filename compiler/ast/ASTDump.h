// `--emit=ast`: the syntax tree as an indented text tree, one node per line,
// each ending in `<line:col>` of where it starts. Stable and greppable: lit
// tests FileCheck it.
//
//   Model fashion_dense <3:1>
//     Input [784] range [0, 1] <4:3>
//     Encoder <6:3>
//       Layer dense 512 relu <7:5>
#pragma once

#include "compiler/ast/AST.h"
#include "compiler/diag/SourceManager.h"

#include <cstdio>
#include <string>

namespace aec {

std::string dumpAst(const ast::File &file, const SourceManager &sources);
void dumpAst(const ast::File &file, const SourceManager &sources, std::FILE *out);

} // namespace aec
