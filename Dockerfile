# supportbot: the Telegram bot in a container.
#
#   docker build -t supportbot .
#   docker run -d --name supportbot --env-file .env -v supportbot-data:/data supportbot
#
# The database lives on the volume /data; the content (faq/, policies/) is baked into the image, so a
# change to it is a new image (or mount your own folder over /app/faq and /app/policies).
# Not built on the project's build machine (no Docker there): tests/test_deploy.py checks this file.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# An unprivileged user owns the data and the cache; nothing runs as root.
RUN groupadd --system --gid 10001 supportbot \
    && useradd --system --uid 10001 --gid supportbot --home-dir /app --no-create-home --shell /usr/sbin/nologin supportbot

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install .
COPY faq ./faq
COPY policies ./policies

RUN mkdir -p /data /var/cache/supportbot \
    && chown supportbot:supportbot /data /var/cache/supportbot

ENV SUPPORTBOT_CONTENT=/app \
    SUPPORTBOT_DB=/data/supportbot.db \
    SUPPORTBOT_CACHE=/var/cache/supportbot \
    MPLCONFIGDIR=/var/cache/supportbot/matplotlib

VOLUME /data
USER supportbot

# Webhook mode only (supportbot run --webhook-url …); long polling needs no open port.
EXPOSE 8443

HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --retries=3 CMD ["supportbot", "health"]

CMD ["supportbot", "run"]
