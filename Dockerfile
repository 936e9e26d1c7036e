# Multi-stage image: build a wheel, install it into a slim runtime, run as a non-root user.
# Production use: see docker-compose.yml (PostgreSQL) and docs/operations.md.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY requirements ./requirements
COPY app ./app
COPY crypto ./crypto
COPY admin_ui ./admin_ui
COPY migrations ./migrations
# Every dependency from the lock (exact versions, hashes checked), then our own wheel alone.
RUN pip wheel --no-cache-dir --require-hashes --wheel-dir /wheels -r requirements/runtime.lock \
 && pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
# pg_dump/pg_restore for `scrutin backup` / `scrutin restore` (Debian's, the PostgreSQL 15 of
# docker-compose.yml).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 scrutin
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl && rm -rf /wheels
USER scrutin
WORKDIR /home/scrutin
# SCRUTIN_TRUSTED_PROXIES: the reverse proxy's address or network (e.g. 172.16.0.0/12 on a
# Docker network); only its X-Forwarded-For is believed. Empty: nobody's.
# SCRUTIN_WORKERS: server processes (uvicorn workers; PostgreSQL). Their metrics are added up
# from files in PROMETHEUS_MULTIPROC_DIR, emptied by `scrutin serve` at start.
ENV SCRUTIN_ENVIRONMENT=production \
    SCRUTIN_DATA_DIR=/home/scrutin/var \
    SCRUTIN_TRUSTED_PROXIES= \
    SCRUTIN_WORKERS=2 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/scrutin-metrics \
    PYTHONUNBUFFERED=1
EXPOSE 8000
# Apply migrations, then serve (scrutin serve applies SCRUTIN_TRUSTED_PROXIES). Behind a
# reverse proxy that terminates TLS.
CMD ["sh", "-c", "scrutin db upgrade && exec scrutin serve --host 0.0.0.0 --port 8000 --workers \"${SCRUTIN_WORKERS:-2}\""]
