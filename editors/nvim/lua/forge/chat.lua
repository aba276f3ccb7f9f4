-- :ForgeChat: the builder as a conversation in a Markdown buffer, over forge.builder.chat and
-- forge.builder.transcript (docs/interface.md, Chat). One `##` heading per turn (`## Me` / `## Forge`, as
-- CodeCompanion does); the message is what follows the last `## Me`, sent with <CR> (normal mode) or <C-s>.
-- Options are chosen by typing their number. Slash commands as in VS Code's @forge: /bot, /skill, /resume,
-- /back, /preview, /assemble, /reconfigure.
local async = require("forge.async")
local flow = require("forge.flow")

local M = {}

local ME, FORGE = "## Me", "## Forge"

--- Per chat buffer: { session_id, mode, options (of the pending question), busy, sent (messages sent) }.
M.state = {}

local function exec(command, arg)
  return require("forge.commands").exec(command, arg)
end

local function lines_of(text)
  return vim.split(text or "", "\n", { plain = true })
end

local function append(buf, lines)
  vim.bo[buf].modifiable = true
  local n = vim.api.nvim_buf_line_count(buf)
  local last = vim.api.nvim_buf_get_lines(buf, n - 1, n, false)[1]
  if n == 1 and last == "" then
    vim.api.nvim_buf_set_lines(buf, 0, 1, false, lines)
  else
    vim.api.nvim_buf_set_lines(buf, n, n, false, lines)
  end
end

--- Adds a Forge turn and a fresh `## Me` heading to type under; moves the cursor there.
local function say(buf, text)
  local lines = { FORGE, "" }
  vim.list_extend(lines, lines_of(vim.trim(text)))
  vim.list_extend(lines, { "", ME, "" })
  append(buf, lines)
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

--- The text after the last `## Me` heading, and that heading's line (0-based), or nil.
function M.pending(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i = #lines, 1, -1 do
    if lines[i] == ME then
      return vim.trim(table.concat(vim.list_slice(lines, i + 1), "\n")), i - 1
    end
  end
  return nil
end

local function remember(buf, reply)
  local s = M.state[buf]
  s.mode = reply.mode or s.mode
  -- Done: the draft is gone; the next message starts a new one.
  s.session_id = not reply.done and reply.session_id or nil
  s.options = not reply.done and reply.options or {}
end

--- A reply: its Markdown; once done, the files written are saved to disk.
local function show_reply(buf, reply)
  if type(reply) ~= "table" or type(reply.reply) ~= "string" then
    error("forge.builder.chat returned " .. vim.inspect(reply))
  end
  -- The reply lists the files written (and their problems); the edit left them as modified buffers.
  if reply.done and type(reply.files) == "table" then
    flow.save_files(reply.files)
  end
  remember(buf, reply)
  say(buf, reply.reply)
end

local function show_transcript(buf, t, replay)
  if type(t) ~= "table" or type(t.reply) ~= "string" then
    error("forge.builder.transcript returned " .. vim.inspect(t))
  end
  if replay then
    -- The conversation so far, turn by turn, then the pending question.
    local lines = {}
    local messages = vim.list_slice(t.messages or {})
    -- The last reply is the pending question, shown below in full.
    if #messages > 0 and messages[#messages].role ~= "user" then
      table.remove(messages)
    end
    for _, m in ipairs(messages) do
      vim.list_extend(lines, { m.role == "user" and ME or FORGE, "" })
      vim.list_extend(lines, lines_of(vim.trim(m.text or "")))
      table.insert(lines, "")
    end
    append(buf, lines)
  end
  M.state[buf].session_id = t.session_id
  M.state[buf].mode = t.mode
  M.state[buf].options = t.options or {}
  say(buf, t.reply)
end

local function new_session(buf, mode, message)
  return exec("forge.builder.chat", { mode = mode, message = message })
end

local function drafts_text(drafts)
  local out = { "Drafts in this workspace, newest first:", "" }
  for i, d in ipairs(drafts) do
    local desc = vim.split(d.description or "", "\n", { plain = true })[1]
    table.insert(out, string.format("%d. `%s` · %s · %s · %s", i, d.session_id, d.mode, d.phase or "", desc))
  end
  table.insert(out, "")
  table.insert(out, "Say `/resume` with a number or an id to continue one.")
  return table.concat(out, "\n")
end

--- Resumes a draft (a number of the list, or an id): its conversation replayed.
function M.resume(buf, pick)
  local drafts = exec("forge.builder.drafts", vim.empty_dict())
  if type(drafts) ~= "table" or #drafts == 0 then
    say(buf, "There are no drafts in this workspace.")
    return
  end
  if not pick or pick == "" then
    local draft = async.select(drafts, {
      prompt = "Forge · Resume Draft",
      kind = "forge.draft",
      format_item = function(d)
        return string.format("%s: %s  [%s]", d.mode == "skill" and "Skill" or "Bot", d.description or "", d.phase or "")
      end,
    })
    if not draft then
      say(buf, drafts_text(drafts))
      return
    end
    pick = draft.session_id
  end
  local n = tonumber(pick)
  local id = (n and drafts[n]) and drafts[n].session_id or pick
  show_transcript(buf, exec("forge.builder.transcript", { session_id = id }), true)
end

--- Starts a reconfigure conversation about the bot of `uri` (any of its files, or its folder).
function M.reconfigure(buf, uri)
  local first = exec("forge.builder.reconfigure", { uri = uri })
  if type(first) ~= "table" or type(first.session_id) ~= "string" then
    error("forge.builder.reconfigure returned " .. vim.inspect(first))
  end
  show_transcript(buf, exec("forge.builder.transcript", { session_id = first.session_id }), false)
end

--- Handles one message (in a coroutine).
local function handle(buf, message)
  local s = M.state[buf]
  local command, rest = message:match("^/(%S+)%s*(.-)%s*$")
  if not command then
    if s.session_id then
      show_reply(buf, exec("forge.builder.chat", { session_id = s.session_id, message = message }))
    else
      show_reply(buf, new_session(buf, s.mode or "bot", message))
    end
  elseif command == "bot" or command == "skill" then
    s.session_id, s.mode = nil, command
    if rest == "" then
      say(buf, "A new " .. command .. ": tell me what it should do, in a sentence or two.")
    else
      show_reply(buf, new_session(buf, command, rest))
    end
  elseif command == "back" or command == "preview" or command == "assemble" then
    if not s.session_id then
      say(buf, "There is nothing to work on yet: tell me what to build first (`/bot` or `/skill`).")
    else
      show_reply(buf, exec("forge.builder.chat", { session_id = s.session_id, message = command }))
    end
  elseif command == "resume" then
    M.resume(buf, rest)
  elseif command == "reconfigure" then
    if rest == "" then
      say(buf, "Say `/reconfigure` with a file or the folder of the bot to change.")
    else
      local path = vim.fs.normalize(vim.fn.fnamemodify(vim.fn.expand(rest), ":p")):gsub("/$", "")
      M.reconfigure(buf, vim.uri_from_fname(path))
    end
  else
    say(buf, "`/" .. command .. "` is not a command here; these are: /bot, /skill, /resume, /back, /preview, /assemble, /reconfigure.")
  end
end

--- Sends the text under the last `## Me` heading. `on_done(err)` is called when the reply is shown.
function M.send(buf, on_done)
  buf = (buf == nil or buf == 0) and vim.api.nvim_get_current_buf() or buf
  local s = M.state[buf]
  if not s then
    error("not a :ForgeChat buffer")
  end
  local message = M.pending(buf)
  if not message or message == "" then
    vim.notify("Forge: write a message under the last `" .. ME .. "` heading first", vim.log.levels.WARN)
    return
  end
  if s.busy then
    vim.notify("Forge: still waiting for the last reply", vim.log.levels.WARN)
    return
  end
  s.busy = true
  s.sent = (s.sent or 0) + 1
  -- A blank line after the message keeps the turns apart.
  append(buf, { "" })
  async.run(function()
    local ok, err = pcall(handle, buf, message)
    if not ok then
      -- The draft is as it was: the error is the reply (shown there, not also notified), and the user may
      -- try again.
      say(buf, "**Error:** " .. M.error_text(err))
      return err
    end
  end, function(err, failed)
    s.busy = false
    if on_done then
      on_done(err or failed)
    end
  end)
end

--- An error for a person: without the Lua file and line that raised it.
function M.error_text(err)
  return (tostring(err):gsub("^[^\n]-%.lua:%d+: ", ""))
end

local count = 0

--- Opens a chat buffer in a split. `opts`: { resume = true|pick, reconfigure = uri, on_done = fn(err) }.
function M.open(opts)
  opts = opts or {}
  count = count + 1
  vim.cmd("botright vsplit")
  local buf = vim.api.nvim_create_buf(true, true)
  vim.api.nvim_win_set_buf(0, buf)
  vim.api.nvim_buf_set_name(buf, "forge://chat/" .. count)
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "hide"
  vim.bo[buf].swapfile = false
  vim.bo[buf].filetype = "markdown"
  M.state[buf] = { mode = "bot" }
  vim.api.nvim_create_autocmd("BufWipeout", {
    buffer = buf,
    callback = function()
      M.state[buf] = nil
    end,
  })
  local send = function()
    M.send(buf)
  end
  vim.keymap.set("n", "<CR>", send, { buffer = buf, desc = "Forge: send the message" })
  vim.keymap.set({ "n", "i" }, "<C-s>", function()
    vim.cmd("stopinsert")
    send()
  end, { buffer = buf, desc = "Forge: send the message" })
  local intro = "What should I build? Describe a bot (or `/skill` and a skill) in a sentence or two. "
    .. "Send with <CR> in normal mode or <C-s>; answer a question with an option's number or in your own words. "
    .. "Also: /resume, /back, /preview, /assemble, /reconfigure."
  if opts.resume or opts.reconfigure then
    M.state[buf].busy = true
    async.run(function()
      if opts.reconfigure then
        M.reconfigure(buf, opts.reconfigure)
      else
        M.resume(buf, opts.resume ~= true and opts.resume or nil)
      end
    end, function(err)
      M.state[buf].busy = false
      if err then
        say(buf, "**Error:** " .. M.error_text(err))
      end
      if opts.on_done then
        opts.on_done(err)
      end
    end)
  else
    say(buf, intro)
    if opts.on_done then
      opts.on_done(nil)
    end
  end
  return buf
end

return M
