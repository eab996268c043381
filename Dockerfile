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
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir . \
 && useradd --system --home-dir /data --shell /usr/sbin/nologin sohoa \
 && mkdir -p /data && chown sohoa /data

ENV PATH=/opt/venv/bin:$PATH SOHOA_DATA_DIR=/data OMP_THREAD_LIMIT=1
USER sohoa
VOLUME /data
EXPOSE 8000
ENTRYPOINT ["sohoa"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
