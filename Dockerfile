# syntax=docker/dockerfile:1
# The API server, as a non-root user on a read-only root filesystem:
#   docker build --build-arg REVISION="$(git rev-parse HEAD)" -t kinerja .
#   docker run --read-only -v kinerja-uploads:/var/lib/kinerja/uploads -p 8000:8000 \
#       -e DATABASE_URL=... -e KINERJA_SECRET_KEY=... kinerja
# It writes only to the upload volume and to /dev/shm (the workers' metric files). Migrations and
# tenant files: `docker run --rm ... kinerja kinerja migrate` and `... kinerja tenants apply FILE`.

FROM python:3.11-slim AS build
WORKDIR /src
# Dependencies first, exactly as pinned (with hashes), so code changes reuse this layer.
COPY requirements/runtime.txt requirements/runtime.txt
RUN python -m venv /opt/kinerja \
 && /opt/kinerja/bin/pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md LICENSE ./
COPY src src
COPY migrations migrations
COPY policies policies
COPY tenants tenants
COPY schema schema
RUN /opt/kinerja/bin/pip install --no-cache-dir --no-deps . \
 && /opt/kinerja/bin/python -m compileall -q /opt/kinerja/lib

FROM python:3.11-slim
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="kinerja" \
      org.opencontainers.image.description="Multi-tenant performance management for Indonesian civil servants (ASN): one GraphQL API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.vendor="The Kinerja authors"
RUN groupadd --system --gid 10001 kinerja \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin kinerja \
 && mkdir -p /var/lib/kinerja/uploads \
 && chown 10001:10001 /var/lib/kinerja/uploads \
 && chmod 0750 /var/lib/kinerja/uploads
COPY --from=build /opt/kinerja /opt/kinerja
ENV PATH=/opt/kinerja/bin:$PATH \
    KINERJA_MODE=production \
    KINERJA_UPLOAD_DIR=/var/lib/kinerja/uploads \
    PROMETHEUS_MULTIPROC_DIR=/dev/shm/kinerja-metrics \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
VOLUME ["/var/lib/kinerja/uploads"]
WORKDIR /var/lib/kinerja
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["kinerja", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
