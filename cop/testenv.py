"""Environment for the test suite, loaded as a pytest plugin (`-p cop.testenv`).

It must run before pytest-django reads the settings, which is earlier than
any conftest.py: the tests get a key of their own and plain http, since the
live server speaks http on 127.0.0.1.
"""

import os

os.environ.setdefault("COP_SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("COP_HTTPS", "false")
os.environ.setdefault("COP_DEBUG", "false")
# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would otherwise refuse to run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
