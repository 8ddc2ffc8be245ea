# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
COPY migrations ./migrations
RUN python -m venv /opt/kinerja \
 && /opt/kinerja/bin/pip install --no-cache-dir -c constraints.txt .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /app kinerja
WORKDIR /app
COPY --from=build /opt/kinerja /opt/kinerja
COPY policies ./policies
COPY tenants ./tenants
COPY schema ./schema
ENV PATH=/opt/kinerja/bin:$PATH \
    KINERJA_HOME=/app \
    KINERJA_MODE=production \
    PYTHONUNBUFFERED=1
USER kinerja
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["kinerja", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
