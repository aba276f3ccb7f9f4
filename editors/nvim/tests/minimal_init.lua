-- Minimal config for the headless tests: only this plugin and the test module on the runtimepath.
local here = vim.fs.dirname(debug.getinfo(1, "S").source:sub(2))
local plugin = vim.fs.dirname(here)
vim.opt.runtimepath = { plugin, here, vim.env.VIMRUNTIME }
vim.opt.packpath = { vim.env.VIMRUNTIME }
vim.g.loaded_netrwPlugin = 1
vim.g.loaded_netrw = 1
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.more = false
-- Notifications go to stdout on their own line so the test log stays readable.
vim.notify = function(msg, level)
  io.stdout:write(string.format("[notify %s] %s\n", tostring(level or "info"), msg))
end
