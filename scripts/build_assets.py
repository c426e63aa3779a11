#!/usr/bin/env python3
"""Copy the front-end libraries installed by `npm install` into src/yingji/web/static/vendor/.

Plain Python, no dependencies. The libraries and their versions are pinned in package.json and
package-lock.json; nothing is fetched from a CDN at run time, and vendor/ is not committed.

Usage: npm ci && python scripts/build_assets.py
"""

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "yingji" / "web" / "static" / "vendor"

# (npm package, path inside the package, path under vendor/)
FILES = [
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap-icons", "font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons", "font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"),
    ("bootstrap-icons", "font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"),
    ("htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"),
    ("echarts", "dist/echarts.min.js", "echarts/echarts.min.js"),
]
LICENCES = ["LICENSE", "LICENSE.txt", "license"]


def main() -> int:
    if not NODE_MODULES.is_dir():
        print("node_modules/ is missing: run `npm ci` (or `npm install`) first.", file=sys.stderr)
        return 1
    missing = [f"{pkg}/{src}" for pkg, src, _ in FILES if not (NODE_MODULES / pkg / src).is_file()]
    if missing:
        print("Missing files (wrong package versions? run `npm ci`):\n  " + "\n  ".join(missing), file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    versions = {}
    for pkg, src, dest in FILES:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(NODE_MODULES / pkg / src, target)
        if pkg not in versions:
            meta = json.loads((NODE_MODULES / pkg / "package.json").read_text(encoding="utf-8"))
            versions[pkg] = meta["version"]
            for name in LICENCES:  # keep each library's licence beside it
                if (NODE_MODULES / pkg / name).is_file():
                    shutil.copy2(NODE_MODULES / pkg / name, target.parent / "LICENSE")
                    break
    (VENDOR / "versions.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print("vendor assets: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + f" → {VENDOR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
