#!/usr/bin/env bash
# Builds `kvs-conformance-node-base:local`, a minimal base image for machines that reach no image
# registry: a root filesystem holding this machine's `node` binary and the shared libraries it
# links (as `ldd` lists them), imported with `docker import`. Idempotent: an existing image is kept
# unless --force is given. Users with a registry need none of this: the Dockerfile defaults to
# node:20-slim.
set -euo pipefail

TAG=kvs-conformance-node-base:local
if [ "${1:-}" != "--force" ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "build-node-base-image: $TAG already exists"
  exit 0
fi

NODE=$(readlink -f "$(command -v node)")
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT

mkdir -p "$ROOT/usr/bin" "$ROOT/tmp" "$ROOT/etc"
chmod 1777 "$ROOT/tmp"
cp "$NODE" "$ROOT/usr/bin/node"
# Every library node links, at the path the dynamic loader looks for it (symlinks resolved), and
# the rest of the C library, which native addons link too (rolldown's binding needs librt).
LIBC_DIR=$(dirname "$(ldd "$NODE" | grep -oE '/[^ ]+/libc\.so\.6')")
for lib in $(ldd "$NODE" | grep -oE '/[^ ]+') \
  $(ls "$LIBC_DIR"/lib{c,m,dl,pthread,rt,resolv,util,anl,mvec}.so.* "$LIBC_DIR"/libnss_{files,dns}.so.* 2>/dev/null); do
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done
# os.userInfo() (used by tools that name cache folders after the user) needs passwd entries.
printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:node:/home/node:/usr/sbin/nologin\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$ROOT/etc/group"
mkdir -p "$ROOT/root" "$ROOT/home/node"

tar -C "$ROOT" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'CMD ["node"]' \
  - "$TAG" >/dev/null
echo "build-node-base-image: built $TAG ($(docker image inspect "$TAG" --format '{{.Size}}') bytes, node $("$NODE" --version))"
