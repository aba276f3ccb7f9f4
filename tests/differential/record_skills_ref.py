#!/usr/bin/env python3
"""Record what skills-ref 0.1.1 says about every Agent Skills fixture.

Runs `agentskills validate <target>` for each case in
tests/fixtures/agentskills/cases.json and writes
tests/fixtures/agentskills/expected.json:

    {"<case-id>": {"valid": bool, "exit": int, "errors": ["...", ...]}}

`valid` is exit status 0; `errors` are the messages the CLI prints (one per
"  - " item; a click usage error or an uncaught exception is recorded as one
message).  Absolute paths of the case folder are replaced by `<case>`.

Use the same interpreter that has skills-ref installed, e.g.
    target/skills-ref-venv/bin/python tests/differential/record_skills_ref.py
"""

from __future__ import annotations

import json
import sys

from skills_ref_diff import (
    FIXTURES,
    SKILLS_REF_VERSION,
    find_agentskills,
    installed_skills_ref_version,
    load_cases,
    run_skills_ref,
)


def main() -> int:
    ver = installed_skills_ref_version()
    if ver != SKILLS_REF_VERSION:
        print(f"error: skills-ref {SKILLS_REF_VERSION} required, found {ver}", file=sys.stderr)
        return 1
    agentskills = find_agentskills()
    cases = load_cases()
    out = {}
    for cid in sorted(cases):
        out[cid] = run_skills_ref(agentskills, FIXTURES / cid, cases[cid]["target"])
    path = FIXTURES / "expected.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                    encoding="utf-8")
    n_valid = sum(1 for r in out.values() if r["valid"])
    print(f"recorded {len(out)} cases ({n_valid} valid, {len(out) - n_valid} invalid) "
          f"with skills-ref {ver} into {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
