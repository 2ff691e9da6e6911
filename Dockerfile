# syntax=docker/dockerfile:1
# Build stage: full dependencies, compile TypeScript (gen/ is committed, so no buf here).
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY gen ./gen
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and compiled code only, non-root.
FROM node:20.20.2-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=50051
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 50051
# Exec form, node directly: npm would not forward SIGTERM for a graceful drain.
CMD ["node", "--enable-source-maps", "--import", "./dist/src/otel.js", "dist/src/main.js"]
