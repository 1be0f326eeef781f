"""The ctypes view of `aec_model` (aec._model._ModelInfo) against the C struct:
every field's offset and size as a C compiler lays out
runtime/include/aec/model_abi.h, so a change there fails here, not at run time."""
import os
import shutil
import subprocess

import pytest

from aec._model import _ModelInfo

INCLUDE = os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "include")


def _c_layout(tmp_path, fields):
    cc = shutil.which("clang-19") or shutil.which("cc")
    if not cc or not os.path.exists(os.path.join(INCLUDE, "aec", "model_abi.h")):
        pytest.skip("needs a C compiler and the source tree's runtime/include")
    src = tmp_path / "layout.c"
    lines = ['#include <stddef.h>', '#include <stdio.h>', '#include "aec/model_abi.h"',
             "int main(void) {"]
    for name in fields:
        lines.append('  printf("%%s %%zu %%zu\\n", "%s", offsetof(aec_model, %s), '
                     "sizeof(((aec_model *)0)->%s));" % (name, name, name))
    lines += ["  return 0;", "}"]
    src.write_text("\n".join(lines) + "\n")
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", "-I", INCLUDE, str(src), "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {name: (int(off), int(size)) for name, off, size in
            (line.split() for line in out.splitlines())}


def test_model_info_matches_the_c_struct(tmp_path):
    names = [name for name, _ in _ModelInfo._fields_]
    c = _c_layout(tmp_path, names)
    for name in names:
        field = getattr(_ModelInfo, name)
        assert (field.offset, field.size) == c[name], name

