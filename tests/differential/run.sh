#!/usr/bin/env bash
# Differential test of forge-ls (profile agentskills) against skills-ref 0.1.1.
#
#   tests/differential/run.sh                  # both checkers (builds forge-ls if needed)
#   tests/differential/run.sh --skills-ref-only
#   tests/differential/run.sh --case name-uppercase -v
#
# Creates (or reuses) a venv in target/skills-ref-venv with the pinned
# requirements.txt, then runs skills_ref_diff.py with any arguments given here.
# forge-ls: $FORGE_LS, else forge-ls on PATH, else target/debug/forge-ls
# (built with cargo when missing). Set PYTHON to choose the interpreter (>= 3.11).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${SKILLS_REF_VENV:-$ROOT/target/skills-ref-venv}"
PY="${PYTHON:-python3}"
REQ="$HERE/requirements.txt"
STAMP="$VENV/.requirements.sha256"

"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
  echo "run.sh: Python >= 3.11 required ($PY is $("$PY" --version 2>&1))" >&2; exit 2; }

want="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" || "$(cat "$STAMP" 2>/dev/null)" != "$want" ]]; then
  echo "run.sh: preparing $VENV" >&2
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  echo "$want" > "$STAMP"
fi

skills_ref_only=0
for a in "$@"; do [[ "$a" == "--skills-ref-only" ]] && skills_ref_only=1; done

if [[ $skills_ref_only == 0 && -z "${FORGE_LS:-}" ]] && ! command -v forge-ls >/dev/null; then
  if [[ ! -x "$ROOT/target/debug/forge-ls" ]]; then
    echo "run.sh: building forge-ls" >&2
    (cd "$ROOT" && cargo build --quiet --bin forge-ls)
  fi
  export FORGE_LS="$ROOT/target/debug/forge-ls"
fi

exec "$VENV/bin/python" "$HERE/skills_ref_diff.py" "$@"
