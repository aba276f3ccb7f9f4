#!/usr/bin/env bash
# Installs what the real-VS Code tests need, idempotently, into a cache kept between runs:
#   Debian: chromium (the browser Playwright drives), ripgrep (VS Code's search binary), libkrb5-dev
#           (headers for code-server's `kerberos` module);
#   npm:    code-server (VS Code's web build inside), playwright-core (no browser download).
# Nothing is downloaded from anywhere but Debian and the npm registry: @vscode/ripgrep's post-install
# would fetch ripgrep from GitHub, so Debian's rg is packed where it looks for that download first.
#   FORGE_E2E_CACHE  install root (default: ~/.cache/forge-ls/vscode-e2e)
# Prints the install root on its last line.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3 # 4.100.x is the last line whose install accepts node 20
PLAYWRIGHT_VERSION=1.65.2
# What code-server 4.100.3's lib/vscode/npm-shrinkwrap.json pins, and the release @vscode/ripgrep
# 1.15.11 fetches (its lib/postinstall.js VERSION and lib/download.js cache folder).
VSCODE_RIPGREP_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10

cache="${FORGE_E2E_CACHE:-$HOME/.cache/forge-ls/vscode-e2e}"
mkdir -p "$cache"
stamp="$cache/installed-$CODE_SERVER_VERSION-$PLAYWRIGHT_VERSION"

need_apt=()
[[ -x /usr/bin/chromium ]] || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
[[ -e /usr/include/gssapi/gssapi.h ]] || need_apt+=(libkrb5-dev)
if ((${#need_apt[@]})); then
  sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
  echo "apt-get install ${need_apt[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >&2
fi

if [[ ! -e "$stamp" ]]; then
  case "$(uname -m)" in
    x86_64) target=x86_64-unknown-linux-musl ;;
    aarch64) target=aarch64-unknown-linux-musl ;;
    *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
  esac
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  rgcache="$tmp/vscode-ripgrep-cache-$VSCODE_RIPGREP_VERSION"
  mkdir -p "$rgcache/rg"
  cp "$(command -v rg)" "$rgcache/rg/rg"
  tar czf "$rgcache/ripgrep-$RIPGREP_RELEASE-$target.tar.gz" -C "$rgcache/rg" rg

  rm -rf "$cache/node"
  mkdir -p "$cache/node"
  echo "npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION (a few minutes)" >&2
  # --unsafe-perm: as root, code-server's post-install refuses to run without it;
  # npm_config_yes: node-pty's post-install runs npx; TMPDIR: where @vscode/ripgrep finds Debian's rg.
  (cd "$cache/node" && echo '{"private":true}' >package.json &&
    TMPDIR="$tmp" npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" >&2)
  touch "$stamp"
fi
echo "$cache"
