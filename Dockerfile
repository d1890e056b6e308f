# One image for web, worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY assets ./assets
RUN mkdir -p static && npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
# WeasyPrint needs Pango; fonts-liberation stands in for Arial in PDFs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-liberation curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
COPY --from=assets /app/static/build ./static/build
COPY --from=assets /app/node_modules/govuk-frontend/dist ./node_modules/govuk-frontend/dist
# collectstatic needs settings that pass the production checks; these values are
# for the build step only and never reach the running containers.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build.invalid REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --no-input -v 0
RUN useradd --create-home --uid 1000 lra && mkdir -p /app/media && chown lra /app/media
USER lra
EXPOSE 8000
CMD ["gunicorn", "lra_commissioning.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
