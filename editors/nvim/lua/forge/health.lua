-- :checkhealth forge
local M = {}

function M.check()
  local health = vim.health
  local forge = require("forge")
  health.start("forge-ls")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()) .. " (vim.lsp.config / vim.lsp.enable)")
  elseif vim.fn.has("nvim-0.10") == 1 then
    health.ok("Neovim " .. tostring(vim.version()) .. " (vim.lsp.start fallback)")
  else
    health.warn("Neovim 0.10 or newer is recommended")
  end
  local cmd = forge.config.cmd or {}
  local exe = cmd[1] and vim.fn.exepath(cmd[1]) or ""
  if exe == "" then
    health.error(
      "forge-ls executable not found: " .. tostring(cmd[1]),
      { "Install it from the forge-ls repository: cargo install --path server/forge-ls", "or pass cmd = { '/path/to/forge-ls' } to require('forge').setup()" }
    )
  else
    health.ok("executable: " .. exe)
    local out = vim.fn.system({ exe, "--version" })
    if vim.v.shell_error == 0 then
      health.ok("version: " .. vim.trim(out))
    else
      health.error("`" .. exe .. " --version` failed: " .. vim.trim(out))
    end
  end
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local attached = get({ name = forge.name, bufnr = 0 })
  local running = get({ name = forge.name })
  if #attached > 0 then
    local c = attached[1]
    health.ok(string.format("client %d attached to this buffer (root %s)", c.id, tostring(c.root_dir or c.config.root_dir)))
    local commands = c.server_capabilities.executeCommandProvider and c.server_capabilities.executeCommandProvider.commands or {}
    health.info("server commands: " .. table.concat(commands, ", "))
  elseif #running > 0 then
    health.info(#running .. " forge-ls client(s) running, none attached to this buffer (open a bot or skill file)")
  else
    health.info("no forge-ls client running (it starts when you open " .. table.concat(forge.config.patterns, ", ") .. ")")
  end
end

return M
