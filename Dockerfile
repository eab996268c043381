# The sohoa image: the API (`sohoa serve`) and the workers (`sohoa worker`) of docker-compose.yml.
FROM debian:bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie ghostscript qpdf poppler-utils libnss3-tools fonts-noto-core \
      libglib2.0-0 python3 python3-venv python3-pip ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/sohoa
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY ocr ocr
COPY signing signing
COPY storage storage
COPY workers workers
COPY sohoa sohoa
# A fixed uid: files given to the containers (Docker secrets, ./keys) must be readable by it (see .env.example).
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir . \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin sohoa \
 && mkdir -p /data && chown sohoa /data

# Logs are JSON lines on stderr when it is not a terminal (SOHOA_LOG_FORMAT); unbuffered, so none is lost on exit.
ENV PATH=/opt/venv/bin:$PATH SOHOA_DATA_DIR=/data OMP_THREAD_LIMIT=1 PYTHONUNBUFFERED=1
USER sohoa
VOLUME /data
EXPOSE 8000
# `sohoa serve` answers 200 on /healthz when the catalog, the object store and the queue answer; a worker's compose
# service overrides this with `sohoa worker --check`.
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
  CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=10)"]
ENTRYPOINT ["sohoa"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
