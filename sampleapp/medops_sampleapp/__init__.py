"""medops-sampleapp: a small stand-in for the qcis and chfms applications in the lab and in tests.

One code base, configured per system by environment (see config.py); served by gunicorn as
`medops_sampleapp.wsgi:application`; its schema is managed by `python3 -m medops_sampleapp.migrate`.
Standard library and psycopg2 only, so Debian's python3-psycopg2 and gunicorn packages run it.
"""

NAME = "medops-sampleapp"
