-- Tiny coroutine helpers so the flows read top to bottom. Callbacks may fire synchronously (scripted UIs) or later.
local M = {}

local function await(start)
  local co = coroutine.running()
  assert(co, "forge: must run inside forge.async.run")
  local result, done, waiting = nil, false, false
  start(function(...)
    result = { n = select("#", ...), ... }
    done = true
    if waiting then
      waiting = false
      local ok, err = coroutine.resume(co)
      if not ok then
        vim.schedule(function()
          vim.notify("Forge: " .. tostring(err), vim.log.levels.ERROR)
        end)
      end
    end
  end)
  if not done then
    waiting = true
    coroutine.yield()
  end
  return unpack(result, 1, result.n)
end

function M.select(items, opts)
  return await(function(cb)
    vim.ui.select(items, opts, function(choice)
      cb(choice)
    end)
  end)
end

function M.input(opts)
  return await(function(cb)
    vim.ui.input(opts, function(text)
      cb(text)
    end)
  end)
end

--- Waits `ms` milliseconds without blocking the editor.
function M.sleep(ms)
  return await(function(cb)
    vim.defer_fn(cb, ms)
  end)
end

--- Sends one request and waits for (err, result).
function M.request(client, method, params)
  return await(function(cb)
    local handler = function(err, result)
      cb(err, result)
    end
    if vim.fn.has("nvim-0.11") == 1 then
      client:request(method, params, handler)
    else
      client.request(method, params, handler)
    end
  end)
end

--- Runs `fn` in a coroutine; errors are reported with vim.notify and passed to `on_done(err, value)`.
function M.run(fn, on_done)
  local co = coroutine.create(function()
    local ok, value = pcall(fn)
    if not ok then
      vim.notify("Forge: " .. tostring(value), vim.log.levels.ERROR)
    end
    if on_done then
      on_done(not ok and value or nil, ok and value or nil)
    end
  end)
  local ok, err = coroutine.resume(co)
  if not ok then
    vim.notify("Forge: " .. tostring(err), vim.log.levels.ERROR)
  end
end

return M
