# corrwatch: watcher + chat adapters in one process.
#   docker build -t corrwatch .
#   docker run --rm -e SLACK_BOT_TOKEN -e SLACK_SIGNING_SECRET -p 3000:3000 -v corrwatch-data:/data corrwatch
# Charts use @napi-rs/canvas (prebuilt binary inside the npm package) and the DejaVu font shipped by an npm package,
# so the image needs no system fonts or Cairo.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
# docker stop sends SIGTERM and kills 10 s later: a stop waits 8 s for the tick in flight, then aborts it and closes
# the store (src/app/start.ts).
ENV NODE_ENV=production CORRWATCH_DATA_DIR=/data PORT=3000 CORRWATCH_STOP_GRACE=8s
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /healthz answers 503 when the last tick is older than two schedule periods (src/ops/health.ts). The image has no
# curl: Node's fetch asks.
HEALTHCHECK --interval=60s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/corrwatch.js"]
CMD ["start", "--no-console"]
