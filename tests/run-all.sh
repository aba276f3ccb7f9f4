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

echo "== cargo test"
cargo test --locked --workspace

echo "== differential test against skills-ref 0.1.1"
cargo build --locked -p forge-ls
FORGE_LS="$PWD/target/debug/forge-ls" tests/differential/run.sh

if [ -x editors/test.sh ]; then
  echo "== editor clients"
  editors/test.sh
fi
echo "== all tests passed"
