#!/usr/bin/env python3
"""Compile every gettext catalogue (.po → .mo) under src/yingji/**/locale with Babel.

Django's `compilemessages` needs GNU msgfmt, which a fresh machine may lack; Babel is a Python dependency.
Fails (exit 1) on a catalogue that does not parse or has fuzzy/erroneous entries, naming file and line.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def compile_one(po_path: Path) -> list[str]:
    problems: list[str] = []
    with po_path.open("rb") as handle:
        try:
            catalog = read_po(handle, abort_invalid=True)
        except Exception as exc:  # babel raises PoFileError with the line
            return [f"{po_path}: {exc}"]
    for message, errors in catalog.check():
        for error in errors:
            problems.append(f"{po_path}:{message.lineno}: {error}")
    if problems:
        return problems
    mo_path = po_path.with_suffix(".mo")
    with mo_path.open("wb") as handle:
        write_mo(handle, catalog, use_fuzzy=False)
    translated = sum(1 for m in catalog if m.id and m.string and not m.fuzzy)
    print(f"{po_path.relative_to(ROOT)} → {mo_path.name} ({translated} messages)")
    return []


def main() -> int:
    catalogues = sorted((ROOT / "src").glob("**/locale/*/LC_MESSAGES/*.po"))
    if not catalogues:
        print("no .po files found", file=sys.stderr)
        return 1
    problems = [p for po in catalogues for p in compile_one(po)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
