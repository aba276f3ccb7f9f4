-- forge.nvim: Neovim client for forge-ls (Boternity bots and Agent Skills).
--   require("forge").setup({ cmd = {...}, settings = {...}, patterns = {...} })
local M = {}

M.name = "forge_ls"

M.defaults = {
  -- The server command; `forge-ls` on PATH by default (install: `cargo install --path server/forge-ls`).
  cmd = { "forge-ls", "--stdio" },
  -- The `forge` settings section (interface section 3), e.g. { llm = { provider = "none" }, botsDir = "bots" }.
  -- Sent as initializationOptions and answered for workspace/configuration (section "forge").
  settings = {},
  -- File names the server handles; the client attaches only to buffers whose name is one of these.
  -- (The OpenClaw workspace files are analysed by the server only inside an OpenClaw workspace.)
  patterns = {
    "SKILL.md", "IDENTITY.md", "SOUL.md", "USER.md", "skills.toml",
    "AGENTS.md", "TOOLS.md", "HEARTBEAT.md", "BOOTSTRAP.md", "MEMORY.md",
  },
  -- Filetypes of those files (used by vim.lsp.enable to decide when to look at a buffer); YAML for
  -- Boternity workflows, which are attached by content only (see `is_workflow`).
  filetypes = { "markdown", "toml", "yaml" },
  -- Attach to Boternity workflows: `.yaml`/`.yml` buffers with a workflow's top-level keys.
  workflows = true,
  -- Markers of the workspace root; without one, the bot's parent folder (e.g. the folder holding bots/).
  root_markers = { ".git", ".forge" },
  -- Create :Forge* user commands.
  commands = true,
  -- Show the server's code lenses (the builder's pending question, the system prompt's size, soul
  -- versions) above the first line, refreshed on entering the buffer, leaving insert mode and saving.
  codelens = true,
}

M.config = vim.deepcopy(M.defaults)

--- Whether `lines` are a Boternity workflow's, as forge-ls decides (`rules::workflow::looks_like`):
--- top-level `steps:` and `name:`, and one of `version:`, `owner:`, `triggers:`. GitHub Actions
--- (steps under jobs), Compose files and other YAML are not.
function M.is_workflow(lines)
  local steps, name, other = false, false, false
  for _, line in ipairs(lines) do
    local key = line:match("^([^:]-)%s*:")
    if key == "steps" then
      steps = true
    elseif key == "name" then
      name = true
    elseif key == "version" or key == "owner" or key == "triggers" then
      other = true
    end
    if steps and name and other then
      return true
    end
  end
  return false
end

local function is_forge_file(path, bufnr)
  if not path or path == "" then
    return false
  end
  local base = vim.fs.basename(path)
  if vim.tbl_contains(M.config.patterns, base) then
    return true
  end
  if M.config.workflows and bufnr and (base:match("%.yaml$") or base:match("%.yml$")) then
    return M.is_workflow(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
  end
  return false
end
M.is_forge_file = is_forge_file

--- The workspace root for a bot or skill file.
function M.root_for(path)
  local dir = vim.fs.dirname(path)
  local found = vim.fs.find(M.config.root_markers, { path = dir, upward = true })[1]
  if found then
    return vim.fs.dirname(found)
  end
  local cwd = vim.fs.normalize(vim.fn.getcwd())
  if vim.startswith(vim.fs.normalize(path), cwd .. "/") then
    return cwd
  end
  -- bots/{slug}/SOUL.md or skills/{name}/SKILL.md: the folder above bots/ or skills/.
  local parent = vim.fs.dirname(dir)
  local grand = vim.fs.basename(parent)
  if grand == "bots" or grand == "skills" then
    return vim.fs.dirname(parent)
  end
  return parent
end

function M.lsp_config()
  local settings = vim.deepcopy(M.config.settings or {})
  return {
    name = M.name,
    cmd = M.config.cmd,
    filetypes = M.config.filetypes,
    init_options = settings,
    settings = { forge = settings },
  }
end

local function start_for_buffer(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if not is_forge_file(path, bufnr) then
    return
  end
  local config = M.lsp_config()
  config.root_dir = M.root_for(path)
  config.workspace_folders = { { uri = vim.uri_from_fname(config.root_dir), name = config.root_dir } }
  vim.lsp.start(config, { bufnr = bufnr })
end

local augroup = vim.api.nvim_create_augroup("forge_ls", { clear = true })

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  if opts and opts.patterns then
    M.config.patterns = opts.patterns
  end
  vim.api.nvim_clear_autocmds({ group = augroup })
  if vim.lsp.config and vim.lsp.enable then
    -- Neovim 0.11+: one shared config; root_dir declines buffers that are not bot or skill files, so the
    -- markdown/toml filetypes do not pull in every README.
    local config = M.lsp_config()
    config.name = nil
    config.root_dir = function(bufnr, on_dir)
      local path = vim.api.nvim_buf_get_name(bufnr)
      if is_forge_file(path, bufnr) then
        on_dir(M.root_for(path))
      end
    end
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
  else
    vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
      group = augroup,
      callback = function(args)
        start_for_buffer(args.buf)
      end,
    })
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) then
        start_for_buffer(buf)
      end
    end
  end
  if M.config.commands then
    require("forge.commands").create()
  end
  if M.config.codelens then
    vim.api.nvim_create_autocmd("LspAttach", {
      group = augroup,
      callback = function(args)
        local client = vim.lsp.get_client_by_id(args.data.client_id)
        if not client or client.name ~= M.name or not client.server_capabilities.codeLensProvider then
          return
        end
        local refresh = function()
          vim.lsp.codelens.refresh({ bufnr = args.buf })
        end
        refresh()
        vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "BufWritePost" }, {
          group = augroup,
          buffer = args.buf,
          callback = refresh,
        })
      end,
    })
  end
  return M
end

--- A running forge-ls client, preferring one attached to `bufnr`; starts one for the cwd when none runs.
function M.client(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local attached = get({ name = M.name, bufnr = bufnr or 0 })
  if attached[1] then
    return attached[1]
  end
  local any = get({ name = M.name })
  if any[1] then
    return any[1]
  end
  local config = M.lsp_config()
  config.root_dir = vim.fs.normalize(vim.fn.getcwd())
  config.workspace_folders = { { uri = vim.uri_from_fname(config.root_dir), name = config.root_dir } }
  local id
  if vim.fn.has("nvim-0.11") == 1 then
    id = vim.lsp.start(config, { attach = false })
  else
    id = vim.lsp.start_client(config)
  end
  return id and vim.lsp.get_client_by_id(id) or nil
end

return M
