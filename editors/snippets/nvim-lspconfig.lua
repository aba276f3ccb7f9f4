-- Neovim 0.11+ without the plugin: the built-in vim.lsp.config (nvim-lspconfig not required).
vim.lsp.config("forge_ls", {
  cmd = { "forge-ls", "--stdio" },
  filetypes = { "markdown", "toml" },
  root_markers = { ".git", ".forge" },
  init_options = { llm = { provider = "none" } },
  settings = { forge = { llm = { provider = "none" }, botsDir = "bots", skillsDir = "skills" } },
  -- Attach only to bot and skill files.
  root_dir = function(bufnr, on_dir)
    local name = vim.fs.basename(vim.api.nvim_buf_get_name(bufnr))
    local wanted = { ["SKILL.md"] = true, ["IDENTITY.md"] = true, ["SOUL.md"] = true, ["USER.md"] = true, ["skills.toml"] = true }
    if wanted[name] then
      on_dir(vim.fs.root(bufnr, { ".git", ".forge" }) or vim.fn.getcwd())
    end
  end,
})
vim.lsp.enable("forge_ls")

-- Older Neovim with nvim-lspconfig: register forge_ls as a custom server.
--[[
local configs = require("lspconfig.configs")
if not configs.forge_ls then
  configs.forge_ls = {
    default_config = {
      cmd = { "forge-ls", "--stdio" },
      filetypes = { "markdown", "toml" },
      root_dir = require("lspconfig.util").root_pattern(".git", ".forge"),
      init_options = { llm = { provider = "none" } },
      settings = { forge = { llm = { provider = "none" } } },
    },
  }
end
require("lspconfig").forge_ls.setup({})
]]
