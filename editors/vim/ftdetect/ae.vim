" .ae files are aec autoencoder models
autocmd BufRead,BufNewFile *.ae setfiletype ae
