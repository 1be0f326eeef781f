" aec models: two-space indentation (as `aec fmt`), // comments
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1
setlocal shiftwidth=2 softtabstop=2 expandtab
setlocal commentstring=//\ %s comments=s1:/*,mb:*,ex:*/,://
let b:undo_ftplugin = "setlocal shiftwidth< softtabstop< expandtab< commentstring< comments<"
