#!/usr/bin/env bash
# Set up, lint, type-check, and run the whole test suite (real Tesseract, qpdf, poppler, pyHanko).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
