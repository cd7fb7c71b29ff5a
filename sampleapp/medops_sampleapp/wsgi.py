"""The WSGI entry point: `gunicorn … medops_sampleapp.wsgi:application`.

Settings are read when a worker imports this module: a missing or wrong setting stops the start
with one line on stderr (and gunicorn reports that the worker failed to boot).
"""

from __future__ import annotations

import os
import sys

from medops_sampleapp import NAME
from medops_sampleapp.app import Application
from medops_sampleapp.config import ConfigError, load_config

try:
    application = Application(load_config(os.environ))
except ConfigError as exc:
    print(f"{NAME}: cannot start: {exc}", file=sys.stderr, flush=True)
    raise
