-- Headless Neovim with editors/vim on the runtimepath: is an .ae file
-- detected, and which syntax group does each probe word get?
local root = os.getenv("AEC_EDITORS")
vim.opt.runtimepath:prepend(root .. "/vim")
vim.cmd("filetype plugin on")
vim.cmd("syntax on")
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("AEC_NVIM_FILE")))
local lines = { "filetype " .. vim.bo.filetype .. " shiftwidth " .. vim.bo.shiftwidth }
for _, probe in ipairs({ "import", "model", "dense", "relu", "3x3", "1e-3", "down", "bce", "batch", "// c" }) do
  local found = vim.fn.searchpos("\\V" .. probe, "w")
  local group = vim.fn.synIDattr(vim.fn.synID(found[1], found[2], 1), "name")
  table.insert(lines, probe .. " " .. group)
end
local f = io.open(os.getenv("AEC_NVIM_OUT"), "w")
f:write(table.concat(lines, "\n") .. "\n")
f:close()
vim.cmd("qall!")
