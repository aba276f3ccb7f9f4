-- The builder conversation: turns from forge-ls are asked with vim.ui.select / vim.ui.input and the answers sent
-- back with workspace/executeCommand. Runs inside a coroutine (see forge.async).
local async = require("forge.async")

local M = {}

local function humanize(phase)
  if not phase or phase == "" then
    return nil
  end
  local words = phase:gsub("[_-]+", " ")
  return words:sub(1, 1):upper() .. words:sub(2)
end

function M.title(mode, turn)
  local what = ({ skill = "New Skill", ["openclaw-workspace"] = "First Run" })[mode] or "New Bot"
  local phase = turn and (turn.phase_label or humanize(turn.phase))
  return phase and ("Forge · " .. what .. " · " .. phase) or ("Forge · " .. what)
end

--- Markdown for a preview or config (string as is, a map of file -> text file by file, else JSON).
function M.render(value)
  if type(value) == "string" then
    return value
  end
  if type(value) == "table" and not (vim.islist or vim.tbl_islist)(value) then
    local names = vim.tbl_keys(value)
    table.sort(names)
    local files = #names > 0
    for _, k in ipairs(names) do
      if type(value[k]) ~= "string" or not (k:match("%.md$") or k:match("%.toml$")) then
        files = false
      end
    end
    if files then
      local parts = {}
      for _, k in ipairs(names) do
        table.insert(parts, "## " .. k .. "\n\n" .. value[k])
      end
      return table.concat(parts, "\n\n")
    end
  end
  return "```json\n" .. vim.json.encode(value) .. "\n```"
end

local preview_buf
local function show_scratch(text)
  if not (preview_buf and vim.api.nvim_buf_is_valid(preview_buf)) then
    preview_buf = vim.api.nvim_create_buf(false, true)
    vim.bo[preview_buf].bufhidden = "wipe"
    vim.bo[preview_buf].filetype = "markdown"
    pcall(vim.api.nvim_buf_set_name, preview_buf, "forge://preview")
  end
  vim.bo[preview_buf].modifiable = true
  vim.api.nvim_buf_set_lines(preview_buf, 0, -1, false, vim.split(text, "\n", { plain = true }))
  vim.bo[preview_buf].modifiable = false
  if vim.fn.bufwinid(preview_buf) == -1 then
    local cur = vim.api.nvim_get_current_win()
    vim.cmd("botright split")
    vim.api.nvim_win_set_buf(0, preview_buf)
    vim.api.nvim_set_current_win(cur)
  end
end

local function close_scratch()
  if preview_buf and vim.api.nvim_buf_is_valid(preview_buf) then
    local win = vim.fn.bufwinid(preview_buf)
    if win ~= -1 and #vim.api.nvim_list_wins() > 1 then
      vim.api.nvim_win_close(win, true)
    end
  end
end

local BACK, FREE = {}, {}

--- Asks one turn; returns the answer table, "assemble", or nil when the user dismissed it.
function M.answer_turn(turn, mode, allow_back)
  local title = M.title(mode, turn)
  if turn.action == "ask_question" then
    local items = {}
    for i, opt in ipairs(turn.options or {}) do
      table.insert(items, { index = i - 1, label = opt.label, description = opt.description })
    end
    if turn.allow_free_text then
      table.insert(items, { special = FREE, label = "✎ Write my own answer…" })
    end
    if allow_back then
      table.insert(items, { special = BACK, label = "← Back" })
    end
    -- Nothing to pick from (a person's own name): ask for the text straight away; empty goes back.
    if #(turn.options or {}) == 0 and turn.allow_free_text then
      local text = async.input({ prompt = title .. ": " .. turn.question .. " " })
      if text == nil or (vim.trim(text) == "" and not allow_back) then
        return nil
      end
      return vim.trim(text) ~= "" and { text = vim.trim(text) } or { back = true }
    end
    while true do
      local choice = async.select(items, {
        prompt = title .. ": " .. turn.question,
        kind = "forge.question",
        format_item = function(item)
          return item.description and (item.label .. " — " .. item.description) or item.label
        end,
      })
      if choice == nil then
        return nil
      elseif choice.special == BACK then
        return { back = true }
      elseif choice.special == FREE then
        local text = async.input({ prompt = turn.question .. " " })
        if text and vim.trim(text) ~= "" then
          return { text = vim.trim(text) }
        end
      else
        return { option = choice.index }
      end
    end
  elseif turn.action == "clarify" then
    local text = async.input({ prompt = title .. ": " .. turn.message .. " " })
    if text == nil then
      return nil
    end
    return vim.trim(text) ~= "" and { text = vim.trim(text) } or { back = true }
  elseif turn.action == "show_preview" then
    show_scratch(M.render(turn.preview))
    local items = {
      { value = "confirm", label = "Looks good, continue" },
      { value = "revise", label = "Change something" },
      { value = "back", label = "← Back" },
    }
    local choice = async.select(items, {
      prompt = title .. ": review the preview",
      kind = "forge.preview",
      format_item = function(i)
        return i.label
      end,
    })
    close_scratch()
    if choice == nil then
      return nil
    end
    if choice.value == "back" then
      return { back = true }
    end
    return { confirm = choice.value == "confirm" }
  elseif turn.action == "ready_to_assemble" then
    show_scratch(M.render(turn.workspace or turn.config))
    local items = { { value = "assemble", label = "Assemble now" }, { value = "back", label = "← Back" } }
    local choice = async.select(items, {
      prompt = M.title(mode, { phase_label = "Ready to assemble" }) .. ": write the files?",
      kind = "forge.assemble",
      format_item = function(i)
        return i.label
      end,
    })
    close_scratch()
    if choice == nil then
      return nil
    end
    return choice.value == "assemble" and "assemble" or { back = true }
  end
  error("forge: unknown builder turn action " .. vim.inspect(turn.action))
end

--- Writes the buffers the server's workspace/applyEdit changed, so assembled files are on disk.
function M.save_files(uris)
  for _, uri in ipairs(uris) do
    local bufnr = vim.uri_to_bufnr(uri)
    if not vim.api.nvim_buf_is_loaded(bufnr) then
      vim.fn.bufload(bufnr)
    end
    if vim.bo[bufnr].modified or vim.fn.filereadable(vim.uri_to_fname(uri)) == 0 then
      local fname = vim.uri_to_fname(uri)
      vim.fn.mkdir(vim.fs.dirname(fname), "p")
      vim.api.nvim_buf_call(bufnr, function()
        vim.cmd("silent keepalt write!")
      end)
    end
  end
end

--- Assembles (bot) or creates (skill) the session; returns the outcome table.
function M.assemble(exec, session_id, opts)
  if opts.mode == "skill" then
    local arg = { session_id = session_id, bot = opts.bot }
    local result = exec("forge.skill.create", arg)
    if type(result) ~= "table" or type(result.uri) ~= "string" then
      error("forge.skill.create returned " .. vim.inspect(result))
    end
    M.save_files({ result.uri })
    return { kind = "skill-created", session_id = session_id, uri = result.uri, diagnostics = result.diagnostics or {} }
  end
  local result = exec("forge.builder.assemble", { session_id = session_id, folder = opts.folder })
  if type(result) ~= "table" or type(result.files) ~= "table" then
    error("forge.builder.assemble returned " .. vim.inspect(result))
  end
  M.save_files(result.files)
  return { kind = "assembled", session_id = session_id, files = result.files }
end

--- Runs the conversation from `first` ({session_id, turn}) to assembly or pause.
function M.run(exec, first, opts)
  local current = first
  local max = opts.max_turns or 500
  for i = 1, max do
    if type(current) ~= "table" or type(current.session_id) ~= "string" or type(current.turn) ~= "table" then
      error("unexpected builder reply " .. vim.inspect(current))
    end
    -- The server says whether Back is possible (can_go_back); an older server that does not is guessed for.
    local allow_back = current.can_go_back
    if allow_back == nil or allow_back == vim.NIL then
      allow_back = not (opts.fresh and i == 1)
    end
    local answer = M.answer_turn(current.turn, opts.mode, allow_back)
    if answer == nil then
      vim.notify("Forge: draft saved. Continue it with :ForgeResume", vim.log.levels.INFO)
      return { kind = "paused", session_id = current.session_id }
    elseif answer == "assemble" then
      return M.assemble(exec, current.session_id, opts)
    end
    current = exec("forge.builder.answer", { session_id = current.session_id, answer = answer })
  end
  error("the builder did not finish within " .. max .. " turns")
end

return M
