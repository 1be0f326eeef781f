#!/usr/bin/env python3
"""Writes the hand-picked hostile inputs for the front end into a directory.

scripts/fuzz.sh runs the fuzzer binary over them (each once) before fuzzing;
docs/robustness.md lists them. Imports of `self.ae`, `cycle_a.ae`,
`back.ae` and `input.ae` resolve in the fuzzer's scratch directory.
"""
import os
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "special"
os.makedirs(out, exist_ok=True)
cases = {}


def add(name, data):
    cases[name] = data.encode() if isinstance(data, str) else data


def model(body, head=""):
    return head + "model m {\n" + body + "\n}\n"


BASIC = ("  input 784 range [0, 1]\n  encoder { dense 128 relu }\n  code 32\n"
         "  decoder mirror\n  loss bce\n  train { optimizer adam lr 1e-3 batch 8 epochs 1 }\n")

add("empty", "")
add("only_newlines", "\n" * 1000)
rng = random.Random(1234)
add("garbage_4k", bytes(rng.randrange(256) for _ in range(4096)))
add("garbage_nonul", bytes(rng.randrange(1, 256) for _ in range(4096)))
add("garbage_1m", bytes(rng.randrange(1, 256) for _ in range(1 << 20)))
add("non_utf8", b"model m\xff\xfe {\n  input 784 \xc3\x28 range [0, 1]\n"
    b"  encoder { dense 128 r\xe9lu }\n  // \xf0\x28\x8c\x28 comment\n  code 32\n"
    b"  decoder mirror\n  loss \"\xff\"\n}\n")
add("non_utf8_import", b"import \"\xff\xfe.ae\"\n" + BASIC.encode())
add("overlong_utf8", b"model \xc0\xafm { input 784 }\n")
add("utf8_bom", b"\xef\xbb\xbf" + model(BASIC).encode())
add("nul_byte", b"model m {\x00 input 784 }\n")

for num in ["1e309", "-1e309", "99999999999999999999", "-99999999999999999999",
            "1e-400", "0.0000000000000000000000000000000000000001", "1e18", "9223372036854775807",
            "9223372036854775808", "-9223372036854775808", "4294967296", "2147483648",
            "00000000000000000000000000001", "1." + "0" * 5000, "9" * 5000, "1e99999999999999999999"]:
    safe = num.replace("-", "neg").replace(".", "p")[:40]
    add("num_input_" + safe, model(BASIC.replace("input 784", "input " + num)))
    add("num_dense_" + safe, model(BASIC.replace("dense 128", "dense " + num)))
    add("num_code_" + safe, model(BASIC.replace("code 32", "code " + num)))
    add("num_lr_" + safe, model(BASIC.replace("lr 1e-3", "lr " + num)))
    add("num_batch_" + safe, model(BASIC.replace("batch 8", "batch " + num)))
    add("num_epochs_" + safe, model(BASIC.replace("epochs 1", "epochs " + num)))
    add("num_noise_" + safe, model(BASIC + "  noise gaussian " + num + "\n"))
    add("num_sparsity_" + safe, model(BASIC + "  sparsity kl " + num + " weight " + num + "\n"))
    add("num_range_" + safe, model(BASIC.replace("range [0, 1]", "range [-" + num + ", " + num + "]")))
    add("num_kernel_" + safe, model(
        "  input [1, 28, 28]\n  encoder { conv 8 " + num + "x" + num + " relu stride " + num +
        "\n maxpool " + num + " }\n  code [8, 14, 14]\n  decoder mirror\n"))

N = 10000
for ch, close in [("{", "}"), ("[", "]"), ("(", ")")]:
    name = {"{": "brace", "[": "bracket", "(": "paren"}[ch]
    add("nest_" + name, ch * N)
    add("nest_" + name + "_closed", ch * N + close * N)
    add("nest_" + name + "_in_model", model("  encoder " + ch * N + " dense 8 " + close * N))
    add("nest_" + name + "_in_input", model("  input " + ch * N + "1" + close * N))
    add("nest_" + name + "_in_call", "block b(n) { dense n }\n" +
        model(BASIC.replace("dense 128 relu", "b" + ch * N + "8" + close * N)))
add("nest_call_parens", model(BASIC.replace("dense 128 relu", "b(" * N + "8" + ")" * N)))
add("nest_comments", "/*" * N + "*/" * N)
add("nest_strings", '"' * N)
# 10,000 blocks, each calling the next: far beyond the block nesting limit.
chain = "".join("block b%d(n) { b%d(n) }\n" % (i, i + 1) for i in range(N))
chain += "block b%d(n) { dense n relu }\n" % N
add("block_chain_10000", chain + model(BASIC.replace("dense 128 relu", "b0(128)")))
# A block tree: each block calls the next twice (2^depth layers if expanded).
tree = "".join("block t%d(n) { t%d(n) t%d(n) }\n" % (i, i + 1, i + 1) for i in range(60))
tree += "block t60(n) { dense n relu }\n"
add("block_tree_exponential", tree + model(BASIC.replace("dense 128 relu", "t0(128)")))
add("block_self", "block s(n) { s(n) }\n" + model(BASIC.replace("dense 128 relu", "s(8)")))
add("block_self_unused", "block s(n) { s(n) dense n }\n" + model(BASIC))
add("block_mutual", "block a(n) { b(n) }\nblock b(n) { a(n) }\n" +
    model(BASIC.replace("dense 128 relu", "a(8)")))
add("block_self_decoder", "block s(n) { s(n) }\n" +
    model(BASIC.replace("decoder mirror", "decoder { s(8) }")))
add("block_many_params", "block p(" + ", ".join("a%d" % i for i in range(N)) + ") { dense a0 }\n" +
    model(BASIC.replace("dense 128 relu", "p(" + ", ".join(["8"] * N) + ")")))
add("block_param_as_kind", "block p(n) { n 8 }\n" + model(BASIC.replace("dense 128 relu", "p(dense)")))
add("block_dup_params", "block p(n, n) { dense n }\n" + model(BASIC.replace("dense 128 relu", "p(1, 2)")))

add("import_self", 'import "input.ae"\n' + model(BASIC))
add("import_self_file", 'import "self.ae"\n' + model(BASIC))
add("import_cycle", 'import "cycle_a.ae"\n' + model(BASIC))
add("import_back", 'import "back.ae"\n' + model(BASIC))
add("import_many", ('import "std/blocks.ae"\n' * 1000) + model(BASIC))
add("import_dir", 'import "."\nimport "/"\nimport ""\nimport "std"\nimport "/dev/null"\n' + model(BASIC))
add("import_proc", 'import "/proc/self/mem"\nimport "/dev/zero"\n' + model(BASIC))
add("import_long", 'import "' + "a/" * 3000 + 'x.ae"\n' + model(BASIC))
add("import_long_name", 'import "' + "a" * 5000 + '.ae"\n' + model(BASIC))

huge = ["99999999", "2147483647", "4294967295", "9223372036854775807", "1e18"]
for h in huge:
    add("huge_input3_" + h, model("  input [%s, %s, %s]\n  encoder { conv 8 3x3 relu  maxpool 2 }\n"
                                  "  code 8\n  decoder mirror\n" % (h, h, h)))
    add("huge_input1_" + h, model(BASIC.replace("input 784", "input " + h)))
    add("huge_dense_" + h, model(BASIC.replace("dense 128", "dense " + h)))
    add("huge_code_" + h, model(BASIC.replace("code 32", "code " + h)))
    add("huge_codeshape_" + h, model(BASIC.replace("code 32", "code [%s, %s, %s]" % (h, h, h))))
    add("huge_conv_" + h, model("  input [1, 28, 28]\n  encoder { conv %s 3x3 relu  maxpool 2 }\n"
                                "  code 8\n  decoder mirror\n" % h))
    add("huge_upsample_" + h, model("  input [1, 28, 28]\n  encoder { upsample %s upsample %s }\n"
                                    "  code 8\n  decoder mirror\n  noise mask 0.3\n" % (h, h)))
    add("huge_stride_" + h, model("  input [1, 28, 28]\n  encoder { conv 8 3x3 relu stride %s }\n"
                                  "  code 8\n  decoder mirror\n" % h))
    add("huge_batch_" + h, model(BASIC.replace("batch 8", "batch " + h)))
add("huge_rank", model("  input [" + ", ".join(["2"] * 1000) + "]\n  encoder { flatten }\n  code 2\n  decoder mirror\n"))
add("zero_dims", model("  input [0, 0, 0]\n  encoder { conv 8 0x0 relu maxpool 0 avgpool 0 upsample 0 }\n"
                       "  code 0\n  decoder mirror\n"))
add("negative_dims", model("  input [-1, -28, -28]\n  encoder { conv -8 3x3 relu maxpool -2 }\n"
                           "  code -8\n  decoder mirror\n"))

layers = "".join("    dense %d relu\n" % (1000 - i) for i in range(1000))
add("mirror_1000", model("  input 1001 range [0, 1]\n  encoder {\n" + layers + "  }\n  code 1\n"
                         "  decoder mirror tied\n  loss bce\n"))
add("explicit_decoder_1000", model("  input 1001 range [0, 1]\n  encoder {\n" + layers + "  }\n  code 1\n"
                                   "  decoder {\n" + layers + "  }\n  loss bce\n"))
conv = "".join("    conv 4 3x3 relu\n" for _ in range(1000))
add("conv_mirror_1000", model("  input [1, 8, 8]\n  encoder {\n" + conv + "  }\n  code 4\n  decoder mirror\n"))
pools = "".join("    maxpool 2\n    upsample 2\n" for _ in range(500))
add("pool_mirror_1000", model("  input [1, 8, 8]\n  encoder {\n" + pools + "  }\n  code 4\n  decoder mirror\n"))

# ~1 MB files.
big = "".join("    dense %d relu\n" % (70000 - i) for i in range(68000))
add("big_1m_layers", model("  input 70001\n  encoder {\n" + big + "  }\n  code 1\n  decoder mirror\n"))
add("big_1m_models", "".join(model(BASIC).replace("model m", "model m%d" % i) for i in range(5000)))
add("big_1m_dup_models", model(BASIC) * 5000)
add("big_1m_blocks", "".join("block b%d(n) { dense n relu }\n" % i for i in range(35000)) + model(BASIC))
add("big_1m_comment", "/* " + "x" * (1 << 20) + " */\n" + model(BASIC))
add("big_1m_unterminated_comment", model(BASIC) + "/* " + "x" * (1 << 20))
add("big_1m_string", 'import "' + "x" * (1 << 20) + '"\n' + model(BASIC))
add("big_1m_ident", model(BASIC.replace("relu", "r" * (1 << 20))))
add("big_1m_number", model(BASIC.replace("dense 128", "dense " + "1" * (1 << 20))))
add("big_1m_errors", "} " * (1 << 19))
add("big_1m_invalid_chars", "@" * (1 << 20))
add("big_1m_one_line", model(BASIC.replace("\n", " ")) * 4000)
add("big_1m_train", model(BASIC + "  train { " + "seed 1 " * 100000 + "}\n"))

add("dup_everything", model(BASIC * 50))
add("all_missing", "model m { }\n")
add("only_model_word", "model")
add("unterminated", model(BASIC)[:-3])
add("unterminated_string", 'import "std/blocks.ae\n' + model(BASIC))
add("unterminated_comment", model(BASIC) + "/*")
add("crlf", model(BASIC).replace("\n", "\r\n"))
add("cr_only", model(BASIC).replace("\n", "\r"))
add("tabs_formfeeds", model(BASIC).replace(" ", "\t\f\v"))
add("keywords_as_names", "model model { input 784 }\nblock block(block) { block }\nmodel tied { }\n")
add("transfer_weird", model(BASIC.replace("encoder {", 'encoder from "" freeze {')))
add("transfer_dir", model(BASIC.replace("encoder {", 'encoder from "/" freeze {')))

for name, data in cases.items():
    with open(os.path.join(out, name + ".ae"), "wb") as f:
        f.write(data)
print("%d special inputs in %s" % (len(cases), out))
