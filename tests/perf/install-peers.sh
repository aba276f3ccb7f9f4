#!/usr/bin/env bash
# Install the peers the end-to-end benchmark (server/forge-ls/benches/e2e.rs) compares
# forge-ls with, under target/peers (nothing outside the worktree):
#
#   agnix       cargo install --locked agnix-cli agnix-lsp  -> target/peers/bin/{agnix,agnix-lsp}
#   skills-ref  a venv with tests/differential/requirements.txt -> target/peers/skills-ref-venv
#
#   tests/perf/install-peers.sh            # both
#   tests/perf/install-peers.sh agnix      # one of them
#
# Set PYTHON to choose the interpreter for the venv (>= 3.11). A peer that
# fails to install is reported by the benchmark as "not installed".
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PEERS="$ROOT/target/peers"
PY="${PYTHON:-python3}"
want=("${@:-agnix skills-ref}")
status=0
mkdir -p "$PEERS"

for peer in ${want[@]}; do
  case "$peer" in
    agnix)
      echo "install-peers: agnix-cli + agnix-lsp (cargo install, may take minutes)" >&2
      cargo install --locked --root "$PEERS" agnix-cli agnix-lsp || { echo "install-peers: agnix failed" >&2; status=1; }
      ;;
    skills-ref)
      venv="$PEERS/skills-ref-venv"
      echo "install-peers: skills-ref into $venv" >&2
      if [[ ! -x "$venv/bin/python" ]]; then "$PY" -m venv "$venv" || status=1; fi
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$ROOT/tests/differential/requirements.txt" || { echo "install-peers: skills-ref failed" >&2; status=1; }
      ;;
    *) echo "install-peers: unknown peer '$peer' (agnix, skills-ref)" >&2; status=2 ;;
  esac
done
exit $status
