#!/usr/bin/env bash
# Every test of the repository, as CI runs it: formatting, lints, the Rust
# unit/integration/end-to-end tests, the differential test against the
# reference validator skills-ref, and the editor clients' tests.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt / clippy"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings
echo "== docs links"; python3 tests/docs/check-links.py

echo "== layering: analysis sees no LSP, async runtime, SQLite or HTTP; the builder no LSP"
layer() { # crate, forbidden dependency names
  local found
  found=$(cargo tree --locked -p "$1" -e normal --prefix none | awk '{print $1}' | grep -xE "$2" | sort -u || true)
  if [ -n "$found" ]; then echo "$1 depends on: $found" >&2; exit 1; fi
}
layer forge-syntax 'tower-lsp-server|ls-types|tokio|rusqlite|reqwest'
layer forge-analysis 'tower-lsp-server|ls-types|tokio|rusqlite|reqwest'
layer forge-builder 'tower-lsp-server|ls-types'

echo "== cargo test"
cargo test --locked --workspace

echo "== differential test against skills-ref 0.1.1"
cargo build --locked -p forge-ls
FORGE_LS="$PWD/target/debug/forge-ls" tests/differential/run.sh

echo "== CI integrations: the pre-commit hook (pre-commit from PyPI) and the GitHub Action's steps"
FORGE_LS="$PWD/target/debug/forge-ls" tests/ci/run.sh

echo "== ACP agent: forge-ls acp driven by the official TypeScript SDK (@agentclientprotocol/sdk from npm)"
FORGE_LS="$PWD/target/debug/forge-ls" tests/acp/run.sh

if [ -x editors/test.sh ]; then
  echo "== editor clients"
  editors/test.sh
fi
echo "== all tests passed"
