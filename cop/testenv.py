"""Environment for the test suite, loaded as a pytest plugin (`-p cop.testenv`).

It must run before pytest-django reads the settings, which is earlier than
any conftest.py: the tests get a key of their own and plain http, since the
live server speaks http on 127.0.0.1.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("COP_SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("COP_HTTPS", "false")
os.environ.setdefault("COP_DEBUG", "false")
# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would otherwise refuse to run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Each test process gets a data directory of its own (uploads, filter snapshots, caches), never the
# checkout's var/ or an instance's: a run finds nothing an earlier one left, and the processes of a
# parallel run (pytest -n) never write each other's files. `cop` commands the tests start inherit it.
_data_dir = tempfile.mkdtemp(prefix="cop-test-data-")
os.environ["COP_DATA_DIR"] = _data_dir
atexit.register(shutil.rmtree, _data_dir, ignore_errors=True)
