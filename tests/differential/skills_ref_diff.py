#!/usr/bin/env python3
"""Differential test: forge-ls (profile `agentskills`) against skills-ref 0.1.1.

For every case in tests/fixtures/agentskills/cases.json:

  * skills-ref:  `agentskills validate <target>`; valid = exit status 0.
  * forge-ls:    `forge-ls check --format json --profile agentskills <target>`;
                 valid = no diagnostic whose severity is "error" (exit 0), invalid =
                 at least one (exit 1).  Exit 2 (usage / I/O problem) counts as
                 invalid only for cases marked `io_error` in cases.json.

The two verdicts must agree unless the case is listed in
tests/differential/divergences.json ({"<case-id>": "why forge-ls differs"}).
A listed case whose verdicts agree is reported as a stale entry and also fails,
so the list stays exact.  The live skills-ref result must also still equal the
recorded one in tests/fixtures/agentskills/expected.json (validity and messages).

Modes:
  (default)            both checkers; exit 1 on any unexplained disagreement.
  --skills-ref-only    only check that the installed skills-ref still gives the
                       recorded results (useful before forge-ls has the profile).

The forge-ls binary is $FORGE_LS, else `--forge-ls PATH`, else `forge-ls` on PATH.
The skills-ref CLI is the `agentskills` script beside this Python interpreter,
else `agentskills` on PATH.  Python 3.11+, stdlib only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "agentskills"
DIVERGENCES = HERE / "divergences.json"
SKILLS_REF_VERSION = "0.1.1"
TIMEOUT = 60

# Environment for child processes: UTF-8 output whatever the locale.
CHILD_ENV = dict(os.environ, PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8", LANG="C.UTF-8")


# --------------------------------------------------------------------------- #
# shared helpers (also used by record_skills_ref.py)
# --------------------------------------------------------------------------- #
def load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def load_cases(fixtures: Path = FIXTURES) -> dict:
    return load_json(fixtures / "cases.json")


def find_agentskills() -> str:
    beside = Path(sys.executable).parent / "agentskills"
    if beside.exists():
        return str(beside)
    found = shutil.which("agentskills")
    if not found:
        sys.exit("skills-ref's `agentskills` command not found "
                 "(pip install skills-ref==%s, or run tests/differential/run.sh)"
                 % SKILLS_REF_VERSION)
    return found


def installed_skills_ref_version() -> str | None:
    try:
        from importlib.metadata import PackageNotFoundError, version
        return version("skills-ref")
    except Exception:  # PackageNotFoundError or no metadata
        return None


def normalise(text: str, case_dir: Path) -> str:
    """Make recorded messages independent of where the repository lives."""
    return text.replace(str(case_dir), "<case>")


def run_skills_ref(agentskills: str, case_dir: Path, target: str) -> dict:
    """Run `agentskills validate`; return {"valid", "exit", "errors"}."""
    path = case_dir / target
    proc = subprocess.run(
        [agentskills, "validate", str(path)],
        capture_output=True, text=True, encoding="utf-8", errors="replace",
        env=CHILD_ENV, timeout=TIMEOUT,
    )
    errors: list[str] = []
    err = proc.stderr
    if proc.returncode == 1 and err.startswith("Validation failed for "):
        # "Validation failed for <path>:" then "  - <message>" per error;
        # a message may span lines (strictyaml errors do).
        for line in err.splitlines()[1:]:
            if line.startswith("  - "):
                errors.append(line[4:])
            elif errors:
                errors[-1] += "\n" + line
    elif proc.returncode != 0:
        lines = [l for l in err.splitlines() if l.strip()]
        if any(l.startswith("Traceback") for l in lines):
            errors.append("uncaught exception: " + (lines[-1] if lines else "?"))
        else:  # click usage error (exit 2)
            errors.append(lines[-1] if lines else f"exit {proc.returncode}")
    return {
        "valid": proc.returncode == 0,
        "exit": proc.returncode,
        "errors": [normalise(e.rstrip(), case_dir) for e in errors],
    }


@dataclass
class ForgeResult:
    verdict: str  # "valid" | "invalid" | "failure"
    exit: int | None = None
    errors: list[str] = field(default_factory=list)
    detail: str = ""


def run_forge_ls(forge: str, case_dir: Path, target: str, io_error: bool) -> ForgeResult:
    path = case_dir / target
    try:
        proc = subprocess.run(
            [forge, "check", "--format", "json", "--profile", "agentskills", str(path)],
            capture_output=True, text=True, encoding="utf-8", errors="replace",
            env=CHILD_ENV, timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return ForgeResult("failure", detail=f"timed out after {TIMEOUT}s")
    except OSError as e:
        return ForgeResult("failure", detail=f"cannot run {forge}: {e}")
    code = proc.returncode
    if code == 2:
        if io_error:
            return ForgeResult("invalid", code, detail="exit 2 (I/O or usage problem)")
        return ForgeResult("failure", code,
                           detail="exit 2: " + (proc.stderr.strip().splitlines() or ["?"])[-1])
    try:
        diags = json.loads(proc.stdout or "null")
        assert isinstance(diags, list)
    except (ValueError, AssertionError):
        return ForgeResult("failure", code, detail="stdout is not a JSON list: "
                           + proc.stdout[:200] + proc.stderr[-200:])
    errors = [
        f"{d.get('code')}: {d.get('message')}"
        for d in diags if isinstance(d, dict) and d.get("severity") == "error"
    ]
    if code == 0 and not errors:
        return ForgeResult("valid", code)
    if code == 1 and errors:
        return ForgeResult("invalid", code, errors)
    return ForgeResult("failure", code, errors,
                       detail=f"exit {code} with {len(errors)} error diagnostic(s)")


# --------------------------------------------------------------------------- #
# main
# --------------------------------------------------------------------------- #
def verdict(valid: bool) -> str:
    return "valid" if valid else "invalid"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skills-ref-only", action="store_true",
                    help="only compare the installed skills-ref with expected.json")
    ap.add_argument("--forge-ls", help="forge-ls binary (default $FORGE_LS, else PATH)")
    ap.add_argument("--case", action="append", default=[],
                    help="run only this case id (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print both checkers' messages for every disagreement")
    args = ap.parse_args(argv)

    ver = installed_skills_ref_version()
    if ver != SKILLS_REF_VERSION:
        print(f"error: skills-ref {SKILLS_REF_VERSION} required, found {ver}", file=sys.stderr)
        return 1
    agentskills = find_agentskills()

    cases = load_cases()
    expected = load_json(FIXTURES / "expected.json")
    divergences = {} if args.skills_ref_only else load_json(DIVERGENCES)

    problems: list[str] = []
    for cid in sorted(set(expected) - set(cases)):
        problems.append(f"expected.json has unknown case {cid}")
    for cid in sorted(set(cases) - set(expected)):
        problems.append(f"case {cid} has no recorded expectation (run record_skills_ref.py)")
    for cid in sorted(set(divergences) - set(cases)):
        problems.append(f"divergences.json names unknown case {cid}")

    forge = None
    if not args.skills_ref_only:
        forge = args.forge_ls or os.environ.get("FORGE_LS") or shutil.which("forge-ls")
        if not forge:
            print("error: forge-ls not found (set FORGE_LS, pass --forge-ls, or use "
                  "--skills-ref-only)", file=sys.stderr)
            return 1

    selected = [c for c in sorted(cases) if not args.case or c in args.case]
    unknown = set(args.case) - set(cases)
    if unknown:
        print(f"error: unknown case(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1

    rows = []
    counts = {"agree": 0, "allowed": 0}
    for cid in selected:
        spec = cases[cid]
        case_dir = FIXTURES / cid
        live = run_skills_ref(agentskills, case_dir, spec["target"])
        rec = expected.get(cid)
        status = ""
        if rec is not None and (live["valid"] != rec["valid"] or live["errors"] != rec["errors"]):
            status = "SKILLS-REF DRIFT"
            problems.append(f"{cid}: skills-ref now gives {live} but expected.json records {rec}")
        sr = verdict(live["valid"])
        if args.skills_ref_only:
            rows.append((cid, sr, "-", status or "ok"))
            continue
        fr = run_forge_ls(forge, case_dir, spec["target"], spec.get("io_error", False))
        if fr.verdict == "failure":
            status = status or "FORGE-LS FAILURE"
            problems.append(f"{cid}: forge-ls failure: {fr.detail}")
        elif fr.verdict == sr:
            if cid in divergences:
                status = status or "STALE DIVERGENCE"
                problems.append(f"{cid}: listed in divergences.json but both say {sr}; "
                                "remove the entry")
            else:
                counts["agree"] += 1
                status = status or "agree"
        else:
            if cid in divergences:
                counts["allowed"] += 1
                status = status or "allowed divergence"
            else:
                status = status or "MISMATCH"
                problems.append(f"{cid}: skills-ref says {sr}, forge-ls says {fr.verdict}")
        if args.verbose and status not in ("agree", "ok"):
            print(f"--- {cid}\n  skills-ref: {live['errors']}\n  forge-ls:   {fr.errors} "
                  f"{fr.detail}")
        rows.append((cid, sr, fr.verdict, status))

    w = max([len(r[0]) for r in rows] + [4])
    print(f"{'case':<{w}}  {'skills-ref':<10}  {'forge-ls':<10}  status")
    print(f"{'-' * w}  {'-' * 10}  {'-' * 10}  {'-' * 18}")
    for cid, sr, fl, st in rows:
        print(f"{cid:<{w}}  {sr:<10}  {fl:<10}  {st}")
    print()
    for p in problems:
        print("FAIL:", p.replace("\n", "\n      "))
    failed = len(problems)
    if args.skills_ref_only:
        print(f"skills-ref {ver}: {len(rows) - sum(1 for r in rows if r[3] != 'ok')} of "
              f"{len(rows)} cases match expected.json")
    else:
        print(f"{len(rows)} cases: {counts['agree']} agree, {counts['allowed']} allowed "
              f"divergences, {failed} problem(s)")
    # Plain closing line ("N passed, N failed") that CI summaries understand:
    # one count per case, plus one for problems not tied to a selected case.
    bad = {p.split(":", 1)[0] for p in problems} & set(selected)
    general = any(p.split(":", 1)[0] not in bad for p in problems)
    print(f"{len(rows) - len(bad)} passed, {len(bad) + int(general)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
