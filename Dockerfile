# syntax=docker/dockerfile:1
# para-signer image. Stages mirror test/deploy/production-install.test.ts, which
# runs the same steps outside Docker (the build machines have no Docker engine).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Production dependencies only; no install scripts run (none is needed).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# Compile TypeScript; gen/ is committed, so no buf here.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gen ./gen
COPY src ./src
# The local Para backend (an emulator whose admin API mints sessions and whose JWKS the service would trust) stays
# out of the image: without it, local mode cannot start here even if config were bypassed (src/runtime/local-mode.ts).
RUN npm run build && rm -rf dist/src/local-para

# Runtime: node, production node_modules and compiled code; no npm cache, no compilers.
FROM ${NODE_IMAGE}
LABEL org.opencontainers.image.title="para-signer" \
      org.opencontainers.image.description="gRPC signing service acting for Para users" \
      org.opencontainers.image.source="https://example.invalid/para-signer"
ENV NODE_ENV=production HOST=0.0.0.0 PORT=50051
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
USER node
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s CMD ["node", "dist/src/health/health-probe.js"]
# Exec form, node directly: npm would not forward SIGTERM for a graceful drain.
# The OTel bootstrap is preloaded; it does nothing unless OTEL_EXPORTER_OTLP_* is set.
# --no-memory-reducer: V8 keeps each heap at its loaded size through a quiet spell, so load after it does not pay
# for growing every heap back (README "Running in a mesh"; the memory limit is sized for the loaded size anyway).
CMD ["node", "--no-memory-reducer", "--enable-source-maps", "--import", "./dist/src/runtime/otel.js", "dist/src/runtime/main.js"]
