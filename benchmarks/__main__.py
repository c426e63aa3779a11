"""`make bench`: every benchmark prints its figure as a ratio to a reference measured in the same run.

``--quick`` (or YINGJI_BENCH_QUICK=1) runs the national-scale detection benchmark on a tenth of the counties.
Runs on a throwaway database (SQLite in a temp dir, or the test copy of DATABASE_URL's database).
"""

import os
import sys
import tempfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
# Detection multiplies many small matrices: threaded BLAS only adds overhead there (the work is split across
# processes instead). Set before numpy is first imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("YINGJI_VAR", tempfile.mkdtemp(prefix="yingji-bench-"))


def main() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from . import bench_core, bench_detection, bench_surveillance

        for module in (bench_core, bench_surveillance, bench_detection):
            for line in module.run():
                print(line, flush=True)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
