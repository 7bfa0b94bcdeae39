# One image for the API and the worker (the command differs). Multi-stage: build with dev dependencies,
# ship compiled JavaScript with production dependencies only, run as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY migrations ./migrations
COPY temporal/searchAttributes.ts ./temporal/searchAttributes.ts
# The staff console, built against the OpenAPI document of this very source (served by the API at /).
COPY console ./console
COPY scripts/console.sh scripts/openapi.ts ./scripts/
RUN bash scripts/console.sh && npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Temporal's worker ships a native core; it needs ca-certificates for TLS to a cloud cluster.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tini && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
USER node
EXPOSE 8000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/api/server.js"]
