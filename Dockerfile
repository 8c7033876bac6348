# vantage: HTTP checks and Lighthouse audits as Prometheus metrics, with Debian's Chromium.
#
#   docker build -t vantage .
#   docker run --rm -p 127.0.0.1:9470:9470 vantage                # the embedded demo targets
#   docker run --rm -p 127.0.0.1:9470:9470 -v "$PWD/vantage.yml:/etc/vantage/vantage.yml:ro" \
#     vantage --config.file=/etc/vantage/vantage.yml
#
# docker-compose.yml runs it with Prometheus, Alertmanager and Grafana (README "Run the stack").

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, compile, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# re2 (Google's RE2, which runs every user regexp) fetches a prebuilt binary when one exists for
# this Node and platform and builds from source with node-gyp otherwise: the tools for that, in
# the build stage only (the runtime gets the compiled .node file).
RUN apt-get update \
  && apt-get -y --no-install-recommends install python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# --ignore-scripts: no install script runs but the ones vantage needs, run explicitly:
# better-sqlite3's (the store's native SQLite binding), which fetches the prebuilt binary for
# Node 20 on linux x64/arm64 (glibc), and re2's. esbuild's is not needed: its JS API, which
# bundles the RUM snippet in `npm run build`, finds the binary in its @esbuild/<platform> package.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3 re2
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/build-rum-snippet.mjs ./scripts/build-rum-snippet.mjs
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime ----
FROM ${NODE_IMAGE}

# chromium: Lighthouse audits (docs/lighthouse.md). fonts-liberation: metric-compatible Arial,
# Times and Courier, so pages lay out (and shift, and paint) as on a desktop system.
# tini: PID 1 that reaps the processes a crashed Chrome leaves behind, also under `docker run`
# without --init.
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-liberation tini \
  && rm -rf /var/lib/apt/lists/*

# A user of its own: vantage needs no privilege. Chrome runs with --no-sandbox (vantage always
# passes it, with --headless=new, --disable-dev-shm-usage and the flags that keep it offline),
# so the container is the sandbox, and the default seccomp profile applies.
RUN groupadd --system vantage \
  && useradd --system --gid vantage --create-home --home-dir /home/vantage --shell /usr/sbin/nologin vantage \
  && mkdir -p /var/lib/vantage \
  && chown vantage:vantage /var/lib/vantage

WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
# GET /runbook serves it.
COPY docs/runbook.md ./docs/runbook.md

# NODE_OPTIONS: the heap settings of docs/performance.md ("Memory"), about 220 MB at 10,000
# checks instead of 390 MB, with room for about 30,000 checks. For a larger fleet raise
# --max-old-space-size (512 for 60,000), e.g. in compose's `environment:`. The forked
# Lighthouse worker does not inherit these limits: its memory follows the page audited.
ENV NODE_ENV=production \
  CHROME_PATH=/usr/bin/chromium \
  NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=256"

USER vantage
# Reports, the store and Lighthouse reports. A new named volume takes this directory's owner.
VOLUME ["/var/lib/vantage"]
EXPOSE 9470

# fetch is built into Node 20: no curl in the image. /-/healthy answers as soon as the listener
# is up; the start period covers loading the configuration.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9470/-/healthy',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# --storage.path sits in the entrypoint so that a command of your own (`--config.file=...`,
# `check-config ...`) keeps the data on the volume; a later --storage.path still wins.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/vantage.js", "--storage.path=/var/lib/vantage"]
CMD ["--web.listen-address=0.0.0.0:9470"]
