#!/usr/bin/env bash
# Builds the reference server's image (Dockerfile) from this checkout:
#   scripts/build-server-image.sh [--tag TAG] [--base IMAGE | --local-base]
# The build context is what users install: the package as `npm pack` makes it, with its
# production dependencies installed from the lockfile. --local-base builds and uses
# kvs-conformance-node-base:local (scripts/build-node-base-image.sh) for machines without a registry.
set -euo pipefail
cd "$(dirname "$0")/.."

TAG=kvs-conformance:local
BASE=
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) TAG=$2; shift 2 ;;
    --base) BASE=$2; shift 2 ;;
    --local-base) bash scripts/build-node-base-image.sh; BASE=kvs-conformance-node-base:local; shift ;;
    *) echo "build-server-image: unknown argument $1; allowed: --tag TAG, --base IMAGE, --local-base" >&2; exit 2 ;;
  esac
done

CONTEXT=$(mktemp -d)
trap 'rm -rf "$CONTEXT"' EXIT
TARBALL=$(npm pack --silent --pack-destination "$CONTEXT" | tail -n 1)
tar -xzf "$CONTEXT/$TARBALL" -C "$CONTEXT"
mv "$CONTEXT/package" "$CONTEXT/app"
cp package-lock.json "$CONTEXT/app/"
(
  cd "$CONTEXT/app"
  # The CLI loads vitest at run time. While vitest is only a devDependency, the image keeps the
  # devDependencies too (pruning them would lose vitest's optional native bindings: npm/cli#4828).
  if [ "$(npm pkg get dependencies.vitest)" = "{}" ]; then OMIT=; else OMIT=--omit=dev; fi
  npm ci $OMIT --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error
  rm -f package-lock.json
)
# (stderr kept for failures only: the engine's legacy builder prints a deprecation notice)
if ! docker build --quiet ${BASE:+--build-arg "BASE_IMAGE=$BASE"} -t "$TAG" -f Dockerfile "$CONTEXT" >"$CONTEXT/build.log" 2>&1; then
  cat "$CONTEXT/build.log" >&2
  exit 1
fi
# A rebuild leaves the previous image untagged: remove such leftovers of this Dockerfile only.
docker image prune --force --filter label=org.opencontainers.image.title=kvs-conformance >/dev/null
echo "build-server-image: built $TAG ($(docker image inspect "$TAG" --format '{{.Size}}') bytes${BASE:+, FROM $BASE})"
