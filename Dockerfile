# The app alone; docker-compose.yml pairs it with PostgreSQL 16.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv/youthlink
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY schema ./schema
COPY resolvers ./resolvers
COPY authz ./authz
COPY models ./models
COPY migrations ./migrations
COPY web ./web
RUN pip install . && useradd --system --uid 1000 youthlink
USER youthlink
ENV HOST=0.0.0.0 PORT=8000 ENVIRONMENT=production WEB_DIR=/srv/youthlink/web
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz').status == 200 else 1)"
# Migrations first (idempotent), then serve. Demo data only when asked for (SEED_DEMO=1).
CMD ["sh", "-c", "youthlink migrate && if [ \"$SEED_DEMO\" = 1 ]; then youthlink seed-demo; fi && youthlink serve"]
