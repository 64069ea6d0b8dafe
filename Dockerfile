# Build:  docker build -t deepseek-web-gateway .
# Run:    docker run -d --name deepseek-gateway -p 8000:8000 --stop-timeout 30 deepseek-web-gateway
# scripts/smoke-prod.sh repeats these steps without Docker; keep the two in step.

# Node 24, the current LTS (Node 20 left support in April 2026). CI tests on Node 20, the oldest
# release package.json "engines" allows (>=20.19), so the code keeps running there too.
ARG NODE_VERSION=24

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /app
# No package needs an install script to build or run. One dev dependency has one, denied in
# package.json "allowScripts", which npm 11 (node:24) reads and npm 10 (node:20) ignores;
# --ignore-scripts skips every script before any policy applies, so both install the same.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and dist/ only ----
FROM node:${NODE_VERSION}-alpine AS runtime
# tini as PID 1 forwards SIGTERM to node, which drains open streams, and reaps zombies; so
# `docker run --init` is not needed (-s keeps tini quiet when someone adds it anyway).
RUN apk add --no-cache tini
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The web console's static files (src/console/console-files.ts finds them next to dist/).
COPY public ./public
# Files stay root-owned: the app user can read its code but not change it.
USER node
EXPOSE 8000
# node:*-alpine has no curl; busybox wget would work but node is always there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PORT||8000,path:'/healthz',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
ENTRYPOINT ["/sbin/tini", "-s", "--"]
CMD ["node", "dist/main.js"]
