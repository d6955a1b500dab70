#!/usr/bin/env bash
# Install, create the database, load the demo hospital and serve it on http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
echo
echo "Log in with one of the users above. HospOps is starting on http://127.0.0.1:${PORT:-8000}/ (Ctrl-C stops it)."
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
