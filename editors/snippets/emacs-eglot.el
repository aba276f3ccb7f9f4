;;; forge-ls with eglot (Emacs 29+)
(require 'eglot)

(defconst forge-ls-file-names '("SKILL.md" "IDENTITY.md" "SOUL.md" "USER.md" "skills.toml"))

(add-to-list 'eglot-server-programs
             '((markdown-mode gfm-mode toml-ts-mode conf-toml-mode)
               . ("forge-ls" "--stdio" :initializationOptions (:llm (:provider "none")))))

;; Answers workspace/configuration for section "forge".
(setq-default eglot-workspace-configuration
              '(:forge (:llm (:provider "none") :botsDir "bots" :skillsDir "skills")))

(defun forge-ls-maybe-start ()
  "Start eglot only for bot and skill files."
  (when (and buffer-file-name
             (member (file-name-nondirectory buffer-file-name) forge-ls-file-names))
    (eglot-ensure)))

(dolist (hook '(markdown-mode-hook gfm-mode-hook toml-ts-mode-hook conf-toml-mode-hook))
  (add-hook hook #'forge-ls-maybe-start))
