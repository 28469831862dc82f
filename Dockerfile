# The reference server as a container: `kvs-conformance serve` for compose files and CI.
#
# Build it with scripts/build-server-image.sh, which prepares the build context (the package as
# `npm pack` makes it, plus its production node_modules) and runs `docker build` on it:
#   scripts/build-server-image.sh                     # FROM node:20-slim (needs a registry)
#   scripts/build-server-image.sh --local-base        # FROM kvs-conformance-node-base:local
# The local base (scripts/build-node-base-image.sh) holds only this machine's node binary and its
# shared libraries, for machines that reach no registry. It has no shell: this file uses no RUN.
ARG BASE_IMAGE=node:20-slim
FROM ${BASE_IMAGE}
LABEL org.opencontainers.image.title=kvs-conformance \
      org.opencontainers.image.description="kvs-conformance serve: the reference Apify Key-Value Store API server" \
      org.opencontainers.image.licenses=Apache-2.0
COPY app/ /opt/kvs-conformance/
WORKDIR /data
# serve reads PORT and HOST; 0.0.0.0 so that a published port (bridge networking) reaches it.
ENV NODE_ENV=production PORT=8080 HOST=0.0.0.0
EXPOSE 8080
ENTRYPOINT ["node", "/opt/kvs-conformance/bin/kvs-conformance.js", "serve"]
