#!/usr/bin/env bash
# The extension's end-to-end tests in a real VS Code: code-server (VS Code's web build, from npm) driven by
# Debian's chromium through Playwright, all on 127.0.0.1. Installs what it needs (install.sh, cached).
#   FORGE_LS        the forge-ls binary (required)
#   FORGE_E2E_VSIX  the extension package (default: editors/vscode/forge-ls.vsix, built by `npm run package`)
#   FORGE_E2E_OUT   where screenshots and logs go (default: <repo>/target/vscode-e2e)
#   FORGE_E2E_NODE_ARGS  extra node options, e.g. --test-name-pattern=Reconfigure to run some scenarios
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ext="$(dirname "$here")"
repo="$(cd "$ext/../.." && pwd)"
: "${FORGE_LS:?FORGE_LS must name the forge-ls binary}"
export FORGE_E2E_VSIX="${FORGE_E2E_VSIX:-$ext/forge-ls.vsix}"
export FORGE_E2E_OUT="${FORGE_E2E_OUT:-$repo/target/vscode-e2e}"
[[ -f "$FORGE_E2E_VSIX" ]] || { echo "no $FORGE_E2E_VSIX: run npm run package in $ext" >&2; exit 1; }

start=$SECONDS
cache="$("$here/install.sh" | tail -1)"
echo "real-VS Code tools ready in $((SECONDS - start)) s ($cache)"
rm -rf "$FORGE_E2E_OUT"
mkdir -p "$FORGE_E2E_OUT"
echo "screenshots (failures/, readme/) and code-server.log: $FORGE_E2E_OUT"
export FORGE_E2E_CODE_SERVER="$cache/node/node_modules/code-server/out/node/entry.js"
start=$SECONDS
NODE_PATH="$cache/node/node_modules" node ${FORGE_E2E_NODE_ARGS:-} --test --test-reporter=spec --test-concurrency=1 "$here/vscode.e2e.js"
echo "real-VS Code tests took $((SECONDS - start)) s"
