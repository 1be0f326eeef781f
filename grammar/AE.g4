// The .ae language (DESIGN.md section 2).
//
// Design notes:
// - The grammar is flat: braces and brackets only open at fixed places, so no
//   rule recurses and arbitrarily deep `{{{{` or `[[[[` cannot exhaust the stack.
// - It is deliberately permissive where a precise message helps more than
//   ANTLR's "mismatched input": a layer is a layer word followed by any
//   arguments, and compiler/parse/LayerShape.cpp checks them per kind
//   (`dense` needs a size, the activation goes after it, `3 x 3` is `3x3`).
// - Layer kinds and statement words are keywords; activation, loss, noise,
//   optimizer and setting names are plain identifiers, so sema can say
//   "unknown activation `relux`; did you mean `relu`?".
// - Whitespace separates statements. Newlines matter in one way only: a
//   trailing name (an activation, a layer argument, a `sparsity` option)
//   binds to the statement on its own line, so a misspelt layer kind on the
//   next line (`dens 128`) is read as a layer, not as an activation.
// - The parser sees one character per byte (compiler/parse/ByteStream.h), so
//   token indices are byte offsets and any byte sequence lexes.
grammar AE;

@parser::members {
  // The next token is on the same line as the previous one.
  bool sameLine() {
    antlr4::Token *next = _input->LT(1);
    antlr4::Token *prev = _input->LT(-1);
    return next && prev && next->getLine() == prev->getLine();
  }
  // The next token is a name that continues the current statement: on the
  // same line and not a block call `name(`.
  bool argName() {
    return sameLine() && _input->LA(2) != AEParser::LPAREN;
  }
  // The next token is the plain name `w` (statement words that are also
  // names elsewhere, like `kl` in `sparsity kl 0.05`).
  bool word(const char *w) {
    antlr4::Token *next = _input->LT(1);
    return next && next->getType() == AEParser::IDENT && next->getText() == w;
  }
  // Inside `schedule ...`: the next token, on the same line, is still one of
  // the schedule's words (`cosine`: one; `step F every N`, `plateau F
  // patience N`: four), so `schedule cosine warmup 1` on one line works.
  bool scheduleWord() {
    if (!sameLine()) return false;
    for (int k = 1; k <= 5; ++k) {
      antlr4::Token *t = _input->LT(-k);
      if (!t) return false;
      if (t->getType() == AEParser::IDENT && t->getText() == "schedule") {
        if (k == 1) return true;
        std::string kind = _input->LT(-k + 1)->getText();
        return k - 1 < ((kind == "step" || kind == "plateau") ? 4 : 1);
      }
    }
    return false;
  }
}

file : topItem* EOF ;

topItem
  : importStmt
  | blockDecl
  | modelDecl
  ;

importStmt : IMPORT STRING ;

blockDecl
  : BLOCK name=declName LPAREN (IDENT (COMMA IDENT)*)? RPAREN layerBody
  ;

modelDecl : MODEL name=declName LBRACE modelStmt* RBRACE ;

// Model and block names may be words that are keywords elsewhere (`model tied`).
declName
  : IDENT | IMPORT | BLOCK | MODEL | INPUT | RANGE | ENCODER | FROM | FREEZE | CODE
  | DECODER | MIRROR | TIED | ASYMMETRIC | LOSS | NOISE | SPARSITY | REGULARIZE | TRAIN
  | OPTIMIZER | DENSE | CONV | MAXPOOL | AVGPOOL | UPSAMPLE | FLATTEN | STRIDE
  ;

// `{ layers }`. A missing `}` before the next statement is reported as such
// by compiler/parse/SyntaxErrors.cpp, and ANTLR's recovery resumes there.
layerBody : LBRACE layer* RBRACE ;

modelStmt
  : INPUT shape rangeSpec? normalizeSpec?                    # inputStmt
  | ENCODER (FROM STRING)? FREEZE? layerBody                 # encoderStmt
  | CODE shape ({argName()}? IDENT)?                         # codeStmt
  | DECODER MIRROR TIED?                                     # decoderMirrorStmt
  | DECODER ASYMMETRIC? layerBody                            # decoderBodyStmt
  | LOSS IDENT                                               # lossStmt
  | NOISE IDENT value                                        # noiseStmt
  | SPARSITY IDENT value ({sameLine()}? setting)*            # sparsityStmt
  | REGULARIZE IDENT value                                   # regularizeStmt
  | TRAIN LBRACE trainItem* RBRACE                           # trainStmt
  // issue 7: `kl 1.0 warmup 5`, `budget memory 256 MiB` (sema reads the values)
  | {word("kl")}? IDENT ({sameLine()}? value)*               # klStmt
  | {word("budget")}? IDENT ({sameLine()}? value)*           # budgetStmt
  | IDENT ({sameLine()}? strayArg)* (LBRACE (~(LBRACE | RBRACE))* RBRACE)?  # unknownStmt
  ;

shape
  : value
  | LBRACKET value (COMMA value)* RBRACKET
  ;

rangeSpec : RANGE LBRACKET lo=value COMMA hi=value RBRACKET ;

// `normalize standard | minmax` (issue 8), on the input's line.
normalizeSpec : {sameLine() && word("normalize")}? IDENT ({sameLine()}? IDENT)? ;

layer
  : IDENT LPAREN (value (COMMA value)*)? RPAREN              # callLayer
  | layerWord layerArg*                                      # plainLayer
  ;

layerWord : DENSE | CONV | MAXPOOL | AVGPOOL | UPSAMPLE | FLATTEN | IDENT ;

layerArg
  : number
  | KERNEL
  | STRIDE value
  | {argName()}? IDENT
  ;

// Inside `train { }`: `optimizer adam`, then `key value` settings in any
// order; the AST builder attaches optimizer options (lr, momentum, ...) to
// the optimizer statement.
trainItem
  : OPTIMIZER IDENT                                          # optimizerItem
  // `schedule cosine | step F every N | plateau F patience N` (issue 8): the
  // words after the kind stay on its line; the AST builder checks them.
  | {word("schedule")}? IDENT ({scheduleWord()}? value)*   # scheduleItem
  | setting                                                  # settingItem
  ;

// The value is optional in the grammar so that `batch }` is reported as
// "`batch` needs a value" instead of being read as the end of `train`.
setting : IDENT value? ;

strayArg : value | KERNEL | STRING ;

value
  : number
  | IDENT
  ;

number : MINUS? (INT | FLOAT) ;

// ---- lexer ----

IMPORT     : 'import' ;
BLOCK      : 'block' ;
MODEL      : 'model' ;
INPUT      : 'input' ;
RANGE      : 'range' ;
ENCODER    : 'encoder' ;
FROM       : 'from' ;
FREEZE     : 'freeze' ;
CODE       : 'code' ;
DECODER    : 'decoder' ;
MIRROR     : 'mirror' ;
TIED       : 'tied' ;
ASYMMETRIC : 'asymmetric' ;
LOSS       : 'loss' ;
NOISE      : 'noise' ;
SPARSITY   : 'sparsity' ;
REGULARIZE : 'regularize' ;
TRAIN      : 'train' ;
OPTIMIZER  : 'optimizer' ;
DENSE      : 'dense' ;
CONV       : 'conv' ;
MAXPOOL    : 'maxpool' ;
AVGPOOL    : 'avgpool' ;
UPSAMPLE   : 'upsample' ;
FLATTEN    : 'flatten' ;
STRIDE     : 'stride' ;

LBRACE   : '{' ;
RBRACE   : '}' ;
LPAREN   : '(' ;
RPAREN   : ')' ;
LBRACKET : '[' ;
RBRACKET : ']' ;
COMMA    : ',' ;
MINUS    : '-' ;

// `3x3` is one token, so it never splits into `3` and a name `x3`.
KERNEL : DIGITS [xX] DIGITS ;
FLOAT
  : DIGITS '.' DIGITS? EXPONENT?
  | '.' DIGITS EXPONENT?
  | DIGITS EXPONENT
  ;
INT : DIGITS ;
// A number run into letters (`512relu`, `3x3x3`, `1e`): one token, so the
// parser can name the mistake instead of reading two tokens.
BAD_NUMBER : (DIGITS | DIGITS '.' DIGITS? | '.' DIGITS) [a-zA-Z_.] [a-zA-Z0-9_.]* ;

IDENT : [a-zA-Z_] [a-zA-Z0-9_]* ;

STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'? ;

LINE_COMMENT  : '//' ~[\n]* -> channel(HIDDEN) ;
// No non-greedy loops here: with them the unterminated form would win by
// longest match. A closed comment is longer than its unterminated prefix.
BLOCK_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'+ '/' -> channel(HIDDEN) ;
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* -> channel(HIDDEN) ;

WS : [ \t\r\n\f\u000B]+ -> channel(HIDDEN) ;

// Anything else (including bytes >= 0x80 outside strings and comments): one
// token per character, reported by the parser as an invalid character.
INVALID : . ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
