-- Headless Neovim as a real LSP client: open the .ae file given on the
-- command line, attach `aec lsp`, wait (bounded) for its diagnostics and
-- write them to $AEC_NVIM_OUT as `line<TAB>message` (1-based lines), then quit.
-- Works with Neovim 0.7 (Debian 12) and later.
local out = os.getenv("AEC_NVIM_OUT")
local function finish(lines)
  local f = io.open(out, "w")
  f:write(table.concat(lines, "\n") .. "\n")
  f:close()
  vim.cmd("qall!")
end

vim.cmd("filetype on")
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("AEC_NVIM_FILE")))
local buf = vim.api.nvim_get_current_buf()
local cmd = { os.getenv("AEC_NVIM_AEC"), "lsp", "--stdlib", os.getenv("AEC_NVIM_STDLIB") }
local id = vim.lsp.start_client({
  name = "aec",
  cmd = cmd,
  root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":h"),
})
if not id then finish({ "error: could not start aec lsp" }) return end
vim.lsp.buf_attach_client(buf, id)
local ok = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
if not ok then finish({ "error: no diagnostics within 20 s" }) return end
local lines = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(lines, string.format("%d\t%d\t%s", d.lnum + 1, d.col + 1, d.message))
end
vim.lsp.stop_client(id)
finish(lines)
