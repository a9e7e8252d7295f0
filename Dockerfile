# The Gatehouse image. Build it from the packed package:
#   npm pack && docker build -t gatehouse:0.1.0 .
# test/image/ assembles the same root filesystem without a registry and runs it (see its README).

# Build stage: the production dependencies, from the lockfile. better-sqlite3 compiles here
# (the full image has python3, make and g++), so the runtime image needs no compiler.
FROM node:24-bookworm AS build
WORKDIR /opt/gatehouse
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
# The CLI as `npm pack` made it: bin/, dist/ and package.json.
COPY gatehouse-*.tgz /tmp/gatehouse.tgz
RUN mkdir /opt/cli && tar -xzf /tmp/gatehouse.tgz --strip-components=1 -C /opt/cli

# Runtime: Node 24 on Debian slim, Gatehouse under /opt/gatehouse, run as a non-root user.
FROM node:24-bookworm-slim
# The dependencies first: their layer stays cached while only the CLI changes.
COPY --from=build /opt/gatehouse/node_modules /opt/gatehouse/node_modules
COPY --from=build /opt/cli /opt/gatehouse
RUN ln -s /opt/gatehouse/bin/gatehouse.js /usr/local/bin/gatehouse \
 && groupadd --gid 10001 gatehouse \
 && useradd --uid 10001 --gid 10001 --home-dir /var/lib/gatehouse --no-create-home --shell /usr/sbin/nologin gatehouse \
 && mkdir -p /var/lib/gatehouse \
 && chown 10001:10001 /var/lib/gatehouse \
 && chmod 0700 /var/lib/gatehouse
ENV NODE_ENV=production \
    GATEHOUSE_HOME=/var/lib/gatehouse
USER 10001:10001
WORKDIR /var/lib/gatehouse
EXPOSE 8080
ENTRYPOINT ["gatehouse"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
