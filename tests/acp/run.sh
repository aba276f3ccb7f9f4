#!/usr/bin/env bash
# `forge-ls acp` driven by the official ACP TypeScript SDK's client side (acp.test.mjs).
# Installs the SDK from the npm registry (package-lock.json); FORGE_LS names the binary.
set -euo pipefail
cd "$(dirname "$0")"
: "${FORGE_LS:?set FORGE_LS to the forge-ls binary}"
npm ci --no-audit --no-fund --loglevel=error
FORGE_LS="$FORGE_LS" node --test
