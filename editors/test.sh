#!/usr/bin/env bash
# Builds and tests the editor clients: the VS Code extension (npm ci, lint, compile, bundle, package .vsix,
# node tests including the protocol test against the real forge-ls, then its end-to-end tests in a real
# VS Code: code-server + Debian's chromium) and the Neovim plugin (headless Neovim against the real
# forge-ls). Needs node 20/npm and python3; installs everything else from npm, PyPI and Debian (apt-get).
#   FORGE_LS=/path/to/forge-ls   skip the cargo build and test this binary
set -euo pipefail
editors="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$editors")"

if [[ -z "${FORGE_LS:-}" ]]; then
  (cd "$repo" && cargo build --release -p forge-ls)
  export FORGE_LS="$repo/target/release/forge-ls"
fi

echo "== VS Code extension"
cd "$editors/vscode"
npm ci --no-audit --no-fund
npm run lint
npm run compile
npm run package
npm test

echo "== VS Code extension in a real VS Code (code-server + chromium)"
"$editors/vscode/e2e/run.sh"

echo "== Snippets"
"$editors/snippets/check.sh"

echo "== Neovim plugin"
"$editors/nvim/tests/run.sh"
