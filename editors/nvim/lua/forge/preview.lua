-- :ForgePreview: the system prompt forge-ls assembles for the bot (or OpenClaw workspace, or skill) of the
-- current buffer (`forge.bot.preview`), in a scratch buffer (buftype=nofile, markdown) with each section's
-- token count in its heading, refreshed when a buffer the prompt is built from changes (TextChanged).
local async = require("forge.async")

local M = {}

--- How long edits must rest before the preview asks the server again (ms).
M.delay = 300

-- folder -> { buf, target (file URI), files (set of file names), timer }
local previews = {}
local group = vim.api.nvim_create_augroup("forge_preview", { clear = true })

local function folder_of(path)
  if path:match("%.md$") or path:match("%.toml$") then
    return vim.fs.dirname(path)
  end
  return path
end

local function render(p, result)
  if not vim.api.nvim_buf_is_valid(p.buf) then
    return
  end
  p.files = {}
  for _, uri in ipairs(result.files or {}) do
    p.files[vim.fs.normalize(vim.uri_to_fname(uri))] = true
  end
  vim.bo[p.buf].modifiable = true
  vim.api.nvim_buf_set_lines(p.buf, 0, -1, false, vim.split(result.markdown or "", "\n", { plain = true }))
  vim.bo[p.buf].modifiable = false
  vim.bo[p.buf].modified = false
end

--- Asks the server again for preview `p`; `on_done(err, result)`.
function M.refresh(p, on_done)
  async.run(function()
    local result = require("forge.commands").exec("forge.bot.preview", { uri = p.target })
    render(p, result)
    return result
  end, on_done)
end

local function scratch(folder)
  local buf = vim.api.nvim_create_buf(false, true)
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  vim.bo[buf].filetype = "markdown"
  pcall(vim.api.nvim_buf_set_name, buf, "forge-prompt://" .. folder .. "/system prompt.md")
  return buf
end

--- Opens (or refreshes) the preview of the current buffer's bot in a split; `on_done(err, result)`.
function M.open(on_done)
  local path = vim.api.nvim_buf_get_name(0)
  if path == "" or not require("forge").is_forge_file(path) then
    vim.notify("Forge: open a file of a bot, an OpenClaw workspace or a skill first", vim.log.levels.ERROR)
    if on_done then
      on_done("not a bot file", nil)
    end
    return
  end
  local folder = folder_of(vim.fs.normalize(path))
  local p = previews[folder]
  if not p or not vim.api.nvim_buf_is_valid(p.buf) then
    p = { buf = scratch(folder), target = vim.uri_from_fname(path), files = {} }
    previews[folder] = p
    local from = vim.api.nvim_get_current_win()
    vim.cmd("vsplit")
    vim.api.nvim_win_set_buf(0, p.buf)
    vim.api.nvim_set_current_win(from)
  end
  M.refresh(p, on_done)
  return p
end

--- The preview buffer of the bot folder of `path`, if one is open (for tests and statuslines).
function M.buffer_for(path)
  local p = previews[folder_of(vim.fs.normalize(path))]
  return p and vim.api.nvim_buf_is_valid(p.buf) and p.buf or nil
end

local function changed(buf)
  local name = vim.api.nvim_buf_get_name(buf)
  if name == "" then
    return
  end
  name = vim.fs.normalize(name)
  for folder, p in pairs(previews) do
    if not vim.api.nvim_buf_is_valid(p.buf) then
      previews[folder] = nil
    elseif p.files[name] then
      if p.timer then
        p.timer:stop()
        p.timer:close()
      end
      p.timer = vim.defer_fn(function()
        p.timer = nil
        M.refresh(p)
      end, M.delay)
    end
  end
end

vim.api.nvim_create_autocmd({ "TextChanged", "TextChangedI", "BufWritePost" }, {
  group = group,
  callback = function(args)
    changed(args.buf)
  end,
})

return M
