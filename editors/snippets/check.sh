#!/usr/bin/env bash
# Syntax/logic checks for the editor snippets in editors/README.md (the nvim snippet runs in the nvim tests).
set -euo pipefail
cd "$(dirname "$0")"
python3 -c "import tomllib, json; tomllib.load(open('helix-languages.toml', 'rb')); json.load(open('zed-settings.json')); print('snippets: helix TOML and zed JSON parse')"
if command -v emacs >/dev/null; then
  # eglot itself is stubbed so this also runs on Emacs < 29; it checks registration and the file-name filter.
  emacs --batch -Q --eval '(progn (defvar eglot-server-programs nil) (defvar eglot-workspace-configuration nil) (provide (quote eglot)) (defvar started nil) (defun eglot-ensure () (setq started t)) (load-file "emacs-eglot.el") (unless (assoc (quote (markdown-mode gfm-mode toml-ts-mode conf-toml-mode)) eglot-server-programs) (error "not registered")) (with-temp-buffer (setq buffer-file-name "/tmp/x/README.md") (forge-ls-maybe-start)) (when started (error "started for README")) (with-temp-buffer (setq buffer-file-name "/tmp/x/SOUL.md") (forge-ls-maybe-start)) (unless started (error "not started for SOUL.md")) (princ "snippets: emacs eglot snippet loads and filters file names\n"))'
else
  echo "snippets: emacs not installed, eglot snippet not checked"
fi
