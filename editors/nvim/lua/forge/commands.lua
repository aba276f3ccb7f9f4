-- :ForgeNewBot, :ForgeNewSkill, :ForgeBootstrap, :ForgeResume, :ForgeDeleteDraft, :ForgeReconfigure, :ForgeValidate,
-- :ForgeAssemble, :ForgePreview, :ForgeInstall, :ForgeChat
local async = require("forge.async")
local flow = require("forge.flow")

local M = {}

local function forge()
  return require("forge")
end

--- workspace/executeCommand with one JSON argument; raises on error. Must run inside async.run.
function M.exec(command, arg)
  local client = forge().client(0)
  if not client then
    error("forge-ls is not running (is `" .. tostring(forge().config.cmd[1]) .. "` installed? see :checkhealth forge)")
  end
  -- A client started for this command knows the server's commands only once initialize is answered.
  local deadline = vim.uv.now() + 15000
  while not client.initialized and vim.lsp.get_client_by_id(client.id) and vim.uv.now() < deadline do
    async.sleep(50)
  end
  local caps = client.server_capabilities or {}
  local advertised = caps.executeCommandProvider and caps.executeCommandProvider.commands or {}
  if not vim.tbl_contains(advertised, command) then
    error("this forge-ls does not provide " .. command .. "; update the server")
  end
  local err, result = async.request(client, "workspace/executeCommand", {
    command = command,
    arguments = { arg == nil and vim.empty_dict() or arg },
  })
  if err then
    error(command .. ": " .. (err.message or vim.inspect(err)))
  end
  return result
end

local function exec(command, arg)
  return M.exec(command, arg)
end

local function report(outcome)
  if not outcome then
    return
  end
  if outcome.kind == "assembled" then
    vim.notify("Forge: wrote " .. #outcome.files .. " file(s)", vim.log.levels.INFO)
    local first = outcome.files[1]
    for _, f in ipairs(outcome.files) do
      if f:match("IDENTITY%.md$") then
        first = f
      end
    end
    if first then
      vim.cmd.edit(vim.fn.fnameescape(vim.uri_to_fname(first)))
    end
  elseif outcome.kind == "skill-created" then
    vim.cmd.edit(vim.fn.fnameescape(vim.uri_to_fname(outcome.uri)))
    local n = #(outcome.diagnostics or {})
    vim.notify(n == 0 and "Forge: skill created and valid" or ("Forge: skill created with " .. n .. " diagnostic(s)"))
  end
end

local function bot_file_of_current_buffer()
  local path = vim.api.nvim_buf_get_name(0)
  if path == "" then
    return nil
  end
  local dir = vim.fs.dirname(path)
  for _, f in ipairs({ "IDENTITY.md", "SOUL.md" }) do
    if vim.fn.filereadable(dir .. "/" .. f) == 1 then
      return vim.uri_from_fname(path)
    end
  end
  return nil
end

function M.new(mode, description, on_done)
  async.run(function()
    -- OpenClaw's first-run ritual needs no description: it starts with "Who am I?".
    if mode ~= "openclaw-workspace" and (not description or vim.trim(description) == "") then
      description = async.input({ prompt = mode == "bot" and "Describe the bot you want: " or "Describe the skill: " })
      if not description or vim.trim(description) == "" then
        return nil
      end
    end
    local bot
    if mode == "skill" then
      local current = bot_file_of_current_buffer()
      if current then
        local name = vim.fs.basename(vim.fs.dirname(vim.uri_to_fname(current)))
        local choice = async.select({ "Attach to " .. name, "Do not attach" }, { prompt = "Forge · New Skill" })
        if choice == nil then
          return nil
        end
        bot = choice:match("^Attach") and current or nil
      end
    end
    -- No `folder`: the server reads it as the bots directory itself, and its default is forge.botsDir of
    -- the first workspace folder, where a new bot belongs (for the ritual: the first workspace folder).
    local first = exec("forge.builder.start", { mode = mode, description = vim.trim(description or "") })
    local outcome = flow.run(exec, first, { mode = mode, bot = bot, fresh = true })
    report(outcome)
    return outcome
  end, on_done)
end

local function choose_draft(prompt)
  local drafts = exec("forge.builder.drafts", vim.empty_dict())
  if type(drafts) ~= "table" or #drafts == 0 then
    vim.notify("Forge: there are no drafts")
    return nil
  end
  return async.select(drafts, {
    prompt = prompt,
    kind = "forge.draft",
    format_item = function(d)
      return string.format("%s: %s  [%s, %s]", d.mode == "skill" and "Skill" or "Bot", d.description or "", d.phase or "", tostring(d.updated_at or ""))
    end,
  })
end

function M.resume(on_done)
  async.run(function()
    local draft = choose_draft("Forge · Resume Draft")
    if not draft then
      return nil
    end
    local session = exec("forge.builder.session", { session_id = draft.session_id })
    local outcome = flow.run(exec, session, { mode = draft.mode or session.mode })
    report(outcome)
    return outcome
  end, on_done)
end

function M.assemble(on_done)
  async.run(function()
    local draft = choose_draft("Forge · Assemble")
    if not draft then
      return nil
    end
    local session = exec("forge.builder.session", { session_id = draft.session_id })
    local opts = { mode = draft.mode or session.mode }
    local outcome
    if session.turn and session.turn.action == "ready_to_assemble" then
      outcome = flow.assemble(exec, session.session_id, opts)
    else
      vim.notify("Forge: this draft still has questions; continuing it")
      outcome = flow.run(exec, session, opts)
    end
    report(outcome)
    return outcome
  end, on_done)
end

function M.delete(on_done)
  async.run(function()
    local draft = choose_draft("Forge · Delete Draft")
    if not draft then
      return nil
    end
    local result = exec("forge.builder.delete", { session_id = draft.session_id })
    vim.notify(result and result.deleted and "Forge: draft deleted" or "Forge: draft was already gone")
    return result
  end, on_done)
end

function M.reconfigure(on_done)
  async.run(function()
    local uri = bot_file_of_current_buffer()
    if not uri then
      error("open a file of the bot to reconfigure (its IDENTITY.md, SOUL.md, USER.md or skills.toml)")
    end
    local first = exec("forge.builder.reconfigure", { uri = uri })
    local outcome = flow.run(exec, first, { mode = "bot" })
    report(outcome)
    return outcome
  end, on_done)
end

--- :ForgeChat [resume [n|id]]: a chat buffer; on a bot's file a reconfigure conversation about that bot.
function M.chat(args, on_done)
  local chat = require("forge.chat")
  local word, rest = vim.trim(args or ""):match("^(%S*)%s*(.-)$")
  if word == "resume" then
    return chat.open({ resume = rest ~= "" and rest or true, on_done = on_done })
  end
  local bot = bot_file_of_current_buffer()
  return chat.open({ reconfigure = bot, on_done = on_done })
end

local severity_type = { "E", "W", "I", "N" }

--- Appends the LSP diagnostics of the file at `uri` to the quickfix `items`.
local function add_items(items, uri, diagnostics)
  local fname = vim.uri_to_fname(uri)
  for _, d in ipairs(diagnostics or {}) do
    table.insert(items, {
      filename = fname,
      lnum = d.range.start.line + 1,
      col = d.range.start.character + 1,
      text = (d.code and ("[" .. tostring(d.code) .. "] ") or "") .. d.message,
      type = severity_type[d.severity or 1] or "E",
    })
  end
end

--- Validates the current SKILL.md (or every skill with `all`) and fills the quickfix list.
function M.validate(all, on_done)
  async.run(function()
    local path = vim.api.nvim_buf_get_name(0)
    local arg = vim.empty_dict()
    if not all and vim.fs.basename(path) == "SKILL.md" then
      arg = { uri = vim.uri_from_fname(path) }
    end
    local result = exec("forge.skill.validate", arg)
    local items, errors, warnings = {}, 0, 0
    for _, skill in ipairs(result and result.skills or {}) do
      errors = errors + (skill.errors or 0)
      warnings = warnings + (skill.warnings or 0)
      add_items(items, skill.uri, skill.diagnostics)
    end
    vim.fn.setqflist({}, " ", { title = "Forge: Validate Skills", items = items })
    local n = #(result and result.skills or {})
    vim.notify(string.format("Forge: %d skill(s) validated, %d error(s), %d warning(s)", n, errors, warnings))
    if #items > 0 then
      vim.cmd("copen")
    end
    return result
  end, on_done)
end

--- Installs a skill from `source` (a folder, a .zip/.skill archive or a SKILL.md): forge-ls
--- validates and scans it first; when it refuses (error-level findings, or a skill of that name
--- is installed) the reason is shown with vim.ui.select and "Install anyway" asks again with
--- confirm. Opens the installed SKILL.md and lists the findings in the quickfix list.
function M.install(source, on_done)
  async.run(function()
    if not source or source == "" then
      source = async.input({ prompt = "Forge: install skill from (folder, .zip, .skill or SKILL.md): ", completion = "file" })
      if not source or source == "" then
        return nil
      end
    end
    local path = vim.fs.normalize(vim.fn.fnamemodify(vim.fn.expand(source), ":p"))
    local arg = { source = vim.uri_from_fname((path:gsub("/$", ""))), confirm = false }
    local ok, result = pcall(exec, "forge.skill.install", arg)
    if not ok then
      local message = tostring(result)
      if not message:find("Nothing was installed", 1, true) and not message:find("already installed", 1, true) then
        error(message, 0)
      end
      local choice = async.select({ "Install anyway", "Cancel" }, { prompt = message .. "\n" })
      if choice ~= "Install anyway" then
        vim.notify("Forge: nothing was installed", vim.log.levels.WARN)
        return nil
      end
      arg.confirm = true
      result = exec("forge.skill.install", arg)
    end
    local items = {}
    for _, f in ipairs(result.findings or {}) do
      add_items(items, f.uri, f.diagnostics)
    end
    vim.fn.setqflist({}, " ", { title = "Forge: Install " .. tostring(result.name), items = items })
    vim.cmd.edit(vim.fn.fnameescape(vim.uri_to_fname(result.uri)))
    vim.notify(string.format("Forge: installed %s (%d finding(s))", result.name, #items))
    return result
  end, on_done)
end

function M.create()
  local cmd = vim.api.nvim_create_user_command
  cmd("ForgeNewBot", function(a)
    M.new("bot", a.args)
  end, { nargs = "*", desc = "Forge: build a new bot" })
  cmd("ForgeNewSkill", function(a)
    M.new("skill", a.args)
  end, { nargs = "*", desc = "Forge: build a new skill" })
  cmd("ForgeBootstrap", function()
    M.new("openclaw-workspace")
  end, { desc = "Forge: OpenClaw's first-run ritual for this workspace" })
  cmd("ForgeResume", function()
    M.resume()
  end, { desc = "Forge: resume a builder draft" })
  cmd("ForgeDeleteDraft", function()
    M.delete()
  end, { desc = "Forge: delete a builder draft" })
  cmd("ForgeReconfigure", function()
    M.reconfigure()
  end, { desc = "Forge: reconfigure the bot of this buffer" })
  cmd("ForgeValidate", function(a)
    M.validate(a.bang)
  end, { bang = true, desc = "Forge: validate this skill (! for all skills) into the quickfix list" })
  cmd("ForgeInstall", function(a)
    M.install(a.args)
  end, { nargs = "?", complete = "file", desc = "Forge: install a skill (folder, .zip, .skill or SKILL.md) after a scan" })
  cmd("ForgeAssemble", function()
    M.assemble()
  end, { desc = "Forge: assemble a finished draft" })
  cmd("ForgeChat", function(a)
    M.chat(a.args)
  end, {
    nargs = "*",
    complete = function()
      return { "resume" }
    end,
    desc = "Forge: the builder as a chat (on a bot's file: reconfigure it; `resume [n|id]`: a draft)",
  })
  cmd("ForgePreview", function()
    require("forge.preview").open()
  end, { desc = "Forge: the system prompt of this bot, with token counts" })
end

return M
