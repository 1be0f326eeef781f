"""Runs headless Neovim (Inputs/nvim_lsp.lua) on an .ae file with `aec lsp`
attached and prints the diagnostics it received. The whole run is bounded by
a timeout. Usage: nvim_lsp.py AEC STDLIB FILE"""
import os, shutil, subprocess, sys, tempfile

aec, stdlib, path = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "diagnostics.txt")
    copy = os.path.join(tmp, os.path.basename(path))
    shutil.copy(path, copy)
    env = dict(os.environ, AEC_NVIM_OUT=out, AEC_NVIM_FILE=copy, AEC_NVIM_AEC=aec,
               AEC_NVIM_STDLIB=stdlib, XDG_STATE_HOME=tmp, XDG_DATA_HOME=tmp, XDG_CACHE_HOME=tmp,
               XDG_CONFIG_HOME=tmp)
    try:
        subprocess.run(["nvim", "--headless", "--clean", "-n", "-i", "NONE", "-u",
                        os.path.join(here, "nvim_lsp.lua")],
                       env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=60)
    except subprocess.TimeoutExpired:
        sys.exit("nvim did not finish within 60 s")
    if not os.path.exists(out):
        sys.exit("nvim wrote no diagnostics file")
    sys.stdout.write(open(out).read())
