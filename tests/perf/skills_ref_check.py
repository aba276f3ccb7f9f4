"""Validate every skill under a folder with skills-ref, in one Python process.

    python skills_ref_check.py ROOT

skills-ref's CLI (`agentskills validate DIR`) takes one skill per process; a
workspace check through it would mostly time interpreter start-ups, so the
benchmark (server/forge-ls/benches/e2e.rs) calls the same `validate` function for each
folder holding a SKILL.md instead: the fastest way skills-ref can check a
workspace. Exit status 1 when any skill has problems, like the CLI.
"""

import os
import sys
from pathlib import Path

from skills_ref import validate


def main() -> int:
    root = Path(sys.argv[1])
    skills = problems = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if "SKILL.md" in files:
            skills += 1
            problems += len(validate(Path(folder)))
    print(f"{skills} skills, {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
