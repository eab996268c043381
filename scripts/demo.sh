#!/usr/bin/env bash
# Set up, write a sample batch of scans, and run the whole pipeline on it with the embedded defaults (no servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf sample sample-out
.venv/bin/sohoa sample sample
status=0
.venv/bin/sohoa process sample --out sample-out || status=$?
# The sample holds one truncated scan on purpose: it must be reported (exit status 1) while the rest are signed.
[ "$status" -le 1 ] || exit "$status"
echo
echo "Signed searchable PDFs and their JSON are in sample-out/; summary.json lists what failed and why."
pdf=$(ls sample-out/*.pdf | head -n 1)
.venv/bin/sohoa verify "$pdf"
