#!/usr/bin/env bash
# Set up, lint, and run the whole test suite (real Tesseract, qpdf, poppler, pyHanko).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/python -m pytest -q "$@"
