# The metrics app's images, one file, three targets (docs/containers.md):
#   docker build --target test        .   lint + unit tests run during the build; a failure fails the build
#   docker build --target development .   dev dependencies, tsc -w + node --watch on the mounted app/src
#   docker build --target production  .   compiled JS + production dependencies, UID 10001, read-only-root ready
# Builds with BuildKit and with the legacy builder (DOCKER_BUILDKIT=0). That is why there is no
# `RUN --mount=type=cache`: the legacy builder rejects it ("the --mount option requires BuildKit"). Cache hits
# come from the layer order instead: manifests and lockfile first, `npm ci`, then the sources.

# ---- runtime: Node 24 + tini as PID 1 (forwards signals, reaps zombies), a dpkg package so scanners see it -----
FROM node:24-bookworm-slim AS runtime
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends tini; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb /var/cache/debconf/*-old \
      /var/log/apt /var/log/dpkg.log

# ---- base: the workspace manifests ------------------------------------------------------------------------------
FROM runtime AS base
# No update banner, audit or fund calls in builds; the npm cache lives in /tmp only for the one `npm ci`.
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false
WORKDIR /workspace
# Only the manifests: this layer and `npm ci` stay cached until a package.json or the lockfile changes.
# Every workspace's package.json is needed for `npm ci` to check the lockfile; only app's deps are installed.
COPY package.json package-lock.json ./
COPY app/package.json app/
COPY cdk8s/package.json cdk8s/
COPY cli/package.json cli/

# ---- deps-dev: the app's and the root's (toolchain) dependencies -----------------------------------------------
FROM base AS deps-dev
RUN npm ci --ignore-scripts --cache /tmp/npm-cache -w app --include-workspace-root \
    && rm -rf /tmp/npm-cache

# ---- deps-prod: exactly the app's production dependency tree -------------------------------------------------
FROM base AS deps-prod
# `npm ci -w app` still installs every workspace's production dependencies (cdk8s, cli), so install them and
# then keep only the tree that `npm ls -w app` resolves for the app. Optional deps are left out: the only one is
# hot-shots' unix-dgram (Unix-socket transport, a native addon) which the app does not offer.
RUN npm ci --ignore-scripts --cache /tmp/npm-cache --omit=dev --omit=optional \
    && rm -rf /tmp/npm-cache \
    && npm ls -w app --omit=dev --all --parseable >/tmp/app-deps.txt \
    && mkdir -p /prod/node_modules \
    && sed -n 's#^/workspace/node_modules/##p' /tmp/app-deps.txt | grep -v -e '^@metrics-platform/' -e '/node_modules/' \
       | while read -r dep; do \
           if [ -d "node_modules/$dep" ]; then \
             mkdir -p "/prod/node_modules/$(dirname "$dep")" && cp -a "node_modules/$dep" "/prod/node_modules/$dep" || exit 1; \
           fi; \
         done

# ---- build: compile app/src to app/lib -------------------------------------------------------------------------
FROM deps-dev AS build
COPY tsconfig.base.json ./
COPY app/tsconfig.json app/
COPY app/src app/src
# Ship only what runs: no compiled tests or test helpers, no declarations or build info.
RUN npx tsc -b app \
    && rm -rf app/lib/testing app/lib/.tsbuildinfo \
    && find app/lib \( -name '*.test.js' -o -name '*.test.js.map' -o -name '*.d.ts' \) -delete

# ---- test: lint + unit tests of the app; `docker compose --profile test run --rm test` reruns them -------------
FROM deps-dev AS test
COPY tsconfig.base.json eslint.config.mjs jest.config.js jest.global-setup.js jest.global-teardown.js jest.runtime.js .prettierrc.json .prettierignore ./
# The app's tests check that docs/app.md documents every environment variable.
COPY docs/app.md docs/
COPY app/tsconfig.json app/
COPY app/src app/src
ENV CI=true
RUN npm run -s test:app
CMD ["npm", "run", "-s", "test:app"]

# ---- development: compile on change and restart on change (mount ./app/src over /workspace/app/src) ------------
FROM deps-dev AS development
COPY tsconfig.base.json ./
COPY app/tsconfig.json app/
COPY app/src app/src
# tsc writes app/lib inside the container; the mounted sources stay read-only and owned by the host user.
RUN mkdir -p app/lib && chown -R node:node app/lib
USER node
ENV NODE_ENV=development HTTP_PORT=8080
EXPOSE 8080
# -g: signals go to the whole process group (npm, tsc -w and node --watch), so `docker stop` is quick.
ENTRYPOINT ["/usr/bin/tini", "-g", "--"]
CMD ["npm", "run", "-s", "dev:app"]

# ---- production -------------------------------------------------------------------------------------------------
FROM runtime AS production
WORKDIR /app
# Root-owned and not writable by the app's user: the running process cannot change its own code.
COPY --from=deps-prod /prod/node_modules ./node_modules
COPY --from=build /workspace/app/package.json app/
COPY --from=build /workspace/app/lib app/lib
ENV NODE_ENV=production HTTP_PORT=8080
# Numeric, so Kubernetes' runAsNonRoot can verify it (the cdk8s Deployment sets 10001 too).
USER 10001:10001
EXPOSE 8080
# slim has no curl: probe /healthz with node itself, on the port the app listens on.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.HTTP_PORT,path:'/healthz',timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',function(){this.destroy()})"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "app/lib/main.js"]
# Last, so a new revision does not invalidate any layer above.
ARG SOURCE=unknown
ARG REVISION=unknown
ARG VERSION=0.0.0-dev
LABEL org.opencontainers.image.title="metrics-app" \
      org.opencontainers.image.description="Sends statsd metrics; probes and stats over HTTP." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}"
