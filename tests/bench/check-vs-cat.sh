#!/usr/bin/env bash
# `forge-ls check` on a folder of skills (e.g. the ClawHub archive, openclaw/skills) side by side
# with `cat` of the files it reads: every bot and skill file plus the scripts and Markdown files
# each skill bundles (the files `check` opens). Prints the best of N runs of each, warm cache.
#   usage: tests/bench/check-vs-cat.sh DIR [RUNS]   (FORGE_LS: default target/release/forge-ls)
set -euo pipefail
dir="${1:?usage: check-vs-cat.sh DIR [RUNS]}"; runs="${2:-3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${FORGE_LS:-$repo/target/release/forge-ls}"
list="$(mktemp)"; trap 'rm -f "$list"' EXIT
# What check reads: bot/skill files, and .md and script files in folders under a SKILL.md.
find "$dir" -type f \( -name SKILL.md -o -name IDENTITY.md -o -name SOUL.md -o -name USER.md \
  -o -name skills.toml -o -name '*.md' -o -name '*.markdown' -o -name '*.sh' -o -name '*.bash' \
  -o -name '*.zsh' -o -name '*.py' -o -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.ts' \
  -o -name '*.mts' -o -name '*.cts' \) -not -path '*/node_modules/*' -not -path '*/.git/*' -print0 > "$list"
files=$(tr -cd '\0' < "$list" | wc -c); bytes=$(xargs -0 cat < "$list" | wc -c)
best() { # command...: best wall-clock seconds of $runs runs
  local b=""
  for _ in $(seq "$runs"); do
    local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; e=$(date +%s.%N)
    b=$(python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(t, float(b)) if b else t)" "$s" "$e" "$b")
  done
  echo "$b"
}
cat_s=$(best sh -c "xargs -0 cat < '$list'")
check_s=$(best "$bin" check --format json "$dir")
printf 'files read: %s (%s bytes)\ncat:   %.3f s\ncheck: %.3f s\nratio: %.1fx\n' "$files" "$bytes" "$cat_s" "$check_s" \
  "$(python3 -c "print($check_s/$cat_s)")"
