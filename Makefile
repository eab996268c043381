DOCS ?= 40
SEED ?= 7
BATCH ?= /tmp/sohoa-bench/batch
BENCH_OUT ?= /tmp/sohoa-bench/out
JOBS ?= $(shell nproc)
SYSTEMS ?= sohoa,tesseract,ocrmypdf,oracle
PYTHON ?= .venv/bin/python

.PHONY: bench
bench:  ## sohoa vs Tesseract, OCRmyPDF and the oracle on a corpus batch (made when missing); BENCH_DIR: see bench/benchdir.py
	$(PYTHON) bench/pipeline.py $(BATCH) --docs $(DOCS) --seed $(SEED) --out $(BENCH_OUT) --jobs $(JOBS) --systems $(SYSTEMS) \
		$(if $(BENCH_DIR),--bench-dir $(BENCH_DIR))

.PHONY: setup demo test
setup:  ## Debian packages and .venv/
	bash scripts/setup.sh
demo:  ## a sample batch through the whole pipeline
	bash scripts/demo.sh
test:  ## lint and the test suite (what CI runs)
	bash scripts/test.sh
