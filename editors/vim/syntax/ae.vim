" Vim syntax file
" Language: aec autoencoder models (.ae)
if exists("b:current_syntax")
  finish
endif

syn keyword aeDeclaration import block model
syn keyword aeStatement   input encoder code decoder loss noise sparsity regularize train kl budget
syn keyword aeModifier    range from freeze mirror tied asymmetric stride variational normalize warmup weight
syn keyword aeLayer       dense conv maxpool avgpool upsample flatten batchnorm layernorm dropout
syn keyword aeActivation  relu leaky_relu sigmoid tanh elu linear
syn keyword aeConstant    mse bce adam sgd gaussian mask saltpepper l1 l2 cosine step plateau standard minmax memory params KiB MiB GiB
syn keyword aeSetting     optimizer lr momentum beta1 beta2 eps batch epochs seed schedule validation early_stop patience every

syn match   aeKernel      "\<\d\+[xX]\d\+\>"
syn match   aeNumber      "-\=\<\d\+\(\.\d*\)\=\([eE][+-]\=\d\+\)\=\>"
syn match   aeNumber      "-\=\.\d\+\([eE][+-]\=\d\+\)\=\>"
syn match   aeCall        "\<\h\w*\ze\s*("
syn match   aeName        "\(\<\(block\|model\)\s\+\)\@<=\h\w*"
syn region  aeString      start=+"+ skip=+\\.+ end=+"\|$+ oneline
syn keyword aeTodo        contained TODO FIXME XXX NOTE
syn region  aeComment     start="//" end="$" contains=aeTodo,@Spell
syn region  aeComment     start="/\*" end="\*/" contains=aeTodo,@Spell

hi def link aeDeclaration Keyword
hi def link aeStatement   Statement
hi def link aeModifier    StorageClass
hi def link aeLayer       Type
hi def link aeActivation  Function
hi def link aeConstant    Constant
hi def link aeSetting     Identifier
hi def link aeKernel      Number
hi def link aeNumber      Number
hi def link aeCall        Function
hi def link aeName        Function
hi def link aeString      String
hi def link aeTodo        Todo
hi def link aeComment     Comment

let b:current_syntax = "ae"
