"""Known vulnerabilities in the installed dependencies, with pip-audit (PyPI's advisory data).

    python scripts/audit.py [--require-service]

Exits 1 when any installed package has a known vulnerability. pip-audit itself exits 0 when it
could not look a package up at all, so this says plainly how many packages were actually
audited. Where PyPI's JSON API cannot be reached (CI's machines reach only the package index),
nothing can be audited: that is printed as a warning, or is an error with --require-service.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).parent / "pip-audit"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--require-service", action="store_true",
                    help="fail (exit 3) when the advisory service could not be reached")
    args = ap.parse_args()
    done = subprocess.run([str(PIP_AUDIT), "--local", "--skip-editable", "--format", "json",
                           "--progress-spinner", "off"], capture_output=True, text=True,
                          timeout=900)
    try:
        deps = json.loads(done.stdout)["dependencies"]
    except (json.JSONDecodeError, KeyError):
        print(f"pip-audit failed (exit {done.returncode}):\n{done.stderr}", file=sys.stderr)
        return 2
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = [d for d in deps if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {d['name']} {d['version']}: {v['id']} (fixed in {fixed})")
    print(f"pip-audit: {len(audited)} packages audited, {len(vulnerable)} with known "
          f"vulnerabilities; {len(skipped)} could not be audited.")
    if skipped and not audited:
        print("WARNING: no package could be audited: the advisory service (PyPI's JSON API) is "
              "not reachable from here. Run `make audit` where it is.", file=sys.stderr)
        if args.require_service:
            return 3
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
