#!/usr/bin/env python3
"""A small Key-Value Store API (v2) server, written from the public Apify API documentation only.

A second, independent target for kvs-conformance: Python 3 standard library, no code or data shared
with the reference server in server/. It makes its own legitimate choices where the documents leave
room (see the README beside it): UUID store ids, relative Location headers, 409 for a rename onto a
taken name, no Brotli, no zip download of all records, no pre-signed URLs.

    python3 kvs_server.py --port 0 --token SECRET     # prints "listening on http://127.0.0.1:PORT"
"""

import argparse
import gzip
import json
import re
import sys
import threading
import uuid
import zlib
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

# The payload limit of a record write: 9 MiB (9 x 1024 x 1024 bytes), counted as sent.
PAYLOAD_LIMIT = 9 * 1024 * 1024
# List pages: the default and the largest limit.
MAX_LIMIT = 1000
# Record keys: 1-256 characters of a-zA-Z0-9 and !-_.'() (the platform docs, "Key-value store").
KEY_PATTERN = re.compile(r"^[a-zA-Z0-9!\-_.'()]{1,256}$")
# Store names: DNS-safe, at most 63 characters (the platform docs, "Storage").
NAME_PATTERN = re.compile(r"^([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$")
GENERAL_ACCESS = {"FOLLOW_USER_SETTING", "RESTRICTED", "ANYONE_WITH_ID_CAN_READ", "ANYONE_WITH_NAME_CAN_READ"}
USER_ID = "local-user"
USERNAME = "local"


def now():
    """The current time as an ISO 8601 UTC timestamp with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ApiError(Exception):
    """An error answer: status, error type and message, sent as the JSON error envelope."""

    def __init__(self, status, error_type, message):
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


class Store:
    """One key-value store: its metadata and its records (key -> (bytes, content type))."""

    def __init__(self, name, sequence):
        stamp = now()
        self.id = str(uuid.uuid4())
        self.name = name
        self.sequence = sequence
        self.created_at = stamp
        self.modified_at = stamp
        self.accessed_at = stamp
        self.general_access = "FOLLOW_USER_SETTING"
        self.records = {}

    def touch(self, modified=False):
        stamp = now()
        self.accessed_at = stamp
        if modified:
            self.modified_at = stamp

    def as_json(self):
        return {
            "id": self.id,
            "name": self.name,
            "userId": USER_ID,
            "username": USERNAME,
            "createdAt": self.created_at,
            "modifiedAt": self.modified_at,
            "accessedAt": self.accessed_at,
            "actId": None,
            "actRunId": None,
            "generalAccess": self.general_access,
        }


class Storage:
    """Every store, behind one lock (each operation is atomic: strong consistency)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stores = {}
        self.sequence = 0

    def create(self, name):
        self.sequence += 1
        store = Store(name, self.sequence)
        self.stores[store.id] = store
        return store

    def by_name(self, name):
        return next((store for store in self.stores.values() if store.name == name), None)

    def find(self, reference):
        """A store by id, `~name` or `username~name`; ApiError 404 when there is none."""
        store = None
        if "~" in reference:
            owner, _, name = reference.partition("~")
            if owner in ("", USERNAME, USER_ID):
                store = self.by_name(name)
        else:
            store = self.stores.get(reference)
        if store is None:
            raise ApiError(404, "record-not-found", "Key-value store was not found")
        return store


def non_negative(query, name, default, minimum):
    """An integer query parameter of at least `minimum`; ApiError 400 otherwise."""
    values = query.get(name)
    if not values:
        return default
    text = values[-1]
    if not re.fullmatch(r"\d+", text) or int(text) < minimum:
        raise ApiError(400, "invalid-input", f"Invalid input: {name} must be an integer of at least {minimum}")
    return int(text)


def flag(query, name):
    return (query.get(name) or [""])[-1].lower() in ("1", "true")


def decode_body(body, encoding):
    """The value a body with this Content-Encoding stands for; 415 for a coding this server lacks."""
    coding = (encoding or "identity").strip().lower()
    try:
        if coding == "identity":
            return body
        if coding == "gzip":
            return gzip.decompress(body)
        if coding == "deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except (OSError, EOFError, zlib.error) as error:
        raise ApiError(400, "invalid-input", f"The {coding} body cannot be decoded: {error}")
    # Brotli is not in the standard library: this server does not support it.
    raise ApiError(415, "unsupported-content-encoding", f'Content-Encoding "{encoding}" is not supported')


class Handler(BaseHTTPRequestHandler):
    """One HTTP/1.1 connection (keep-alive); every request body is read in full before answering."""

    protocol_version = "HTTP/1.1"
    server_version = "kvs-python-target/1"
    timeout = 120

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        if self.server.verbose:
            super().log_message(format, *args)

    # -- transport ---------------------------------------------------------------------------

    def read_body(self):
        """The request body (Content-Length or chunked); None when it is over the payload limit."""
        chunks, total, too_large = [], 0, False

        def take(data):
            nonlocal total, too_large
            total += len(data)
            if total > PAYLOAD_LIMIT:
                too_large = True
                chunks.clear()
            elif not too_large:
                chunks.append(data)

        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                remaining = size
                while remaining > 0:
                    data = self.rfile.read(min(remaining, 1 << 16))
                    if not data:
                        raise ConnectionError("the connection closed inside a chunk")
                    take(data)
                    remaining -= len(data)
                self.rfile.readline()
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining > 0:
                data = self.rfile.read(min(remaining, 1 << 16))
                if not data:
                    raise ConnectionError("the connection closed inside the body")
                take(data)
                remaining -= len(data)
        return None if too_large else b"".join(chunks)

    def send(self, status, body=b"", content_type=None, headers=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 204:
            self.wfile.write(body)

    def send_json(self, status, document, headers=None):
        self.send(status, json.dumps(document).encode(), "application/json; charset=utf-8", headers)

    def send_error_envelope(self, error):
        if self.command == "HEAD":
            self.send(error.status)
        else:
            self.send_json(error.status, {"error": {"type": error.error_type, "message": error.message}})

    # -- routing -----------------------------------------------------------------------------

    def handle_any(self):
        try:
            body = self.read_body()
        except (ConnectionError, ValueError):
            self.close_connection = True
            return
        try:
            url = urlsplit(self.path)
            query = parse_qs(url.query, keep_blank_values=True)
            self.authenticate(query)
            self.route(url.path, query, body)
        except ApiError as error:
            self.send_error_envelope(error)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

    def authenticate(self, query):
        """Every operation needs the server's token, as `Authorization: Bearer` or `?token=`."""
        header = self.headers.get("Authorization", "")
        given = header[len("Bearer "):] if header.startswith("Bearer ") else (query.get("token") or [None])[-1]
        if not given:
            raise ApiError(401, "token-not-provided", "Authentication token was not provided")
        if given != self.server.token:
            raise ApiError(401, "invalid-token", "Authentication token is not valid")

    def route(self, path, query, body):
        parts = [unquote(part) for part in path.split("/")[1:]]
        if parts[:2] != ["v2", "key-value-stores"] or len(parts) > 5:
            raise ApiError(404, "page-not-found", "This API endpoint does not exist")
        method = self.command
        rest = parts[2:]
        storage = self.server.storage
        routes = {
            0: {"GET": self.list_stores, "POST": self.create_store},
            1: {"GET": self.get_store, "PUT": self.update_store, "DELETE": self.delete_store},
        }
        if len(rest) <= 1:
            action = routes[len(rest)].get(method)
            if action is None:
                raise ApiError(405, "method-not-allowed", f"The method {method} is not allowed here")
            with storage.lock:
                return action(storage, rest, query, body)
        if rest[1] == "keys" and len(rest) == 2 and method == "GET":
            with storage.lock:
                return self.list_keys(storage.find(rest[0]), query)
        if rest[1] == "records" and len(rest) == 2 and method == "GET":
            with storage.lock:
                storage.find(rest[0])
            raise ApiError(404, "page-not-found", "The zip download of all records is not supported")
        if rest[1] == "records" and len(rest) == 3:
            record_routes = {
                "GET": self.get_record,
                "HEAD": self.get_record,
                "PUT": self.put_record,
                "POST": self.put_record,
                "DELETE": self.delete_record,
            }
            action = record_routes.get(method)
            if action is None:
                raise ApiError(405, "method-not-allowed", f"The method {method} is not allowed here")
            with storage.lock:
                return action(storage.find(rest[0]), rest[2], query, body)
        raise ApiError(404, "page-not-found", "This API endpoint does not exist")

    # -- stores ------------------------------------------------------------------------------

    def list_stores(self, storage, _rest, query, _body):
        offset = non_negative(query, "offset", 0, 0)
        limit = min(non_negative(query, "limit", MAX_LIMIT, 1), MAX_LIMIT)
        desc = flag(query, "desc")
        stores = sorted(storage.stores.values(), key=lambda store: store.sequence, reverse=desc)
        if not flag(query, "unnamed"):
            stores = [store for store in stores if store.name is not None]
        page = stores[offset : offset + limit]
        self.send_json(
            200,
            {
                "data": {
                    "total": len(stores),
                    "offset": offset,
                    "limit": limit,
                    "desc": desc,
                    "count": len(page),
                    "items": [store.as_json() for store in page],
                }
            },
        )

    def create_store(self, storage, _rest, query, _body):
        name = (query.get("name") or [None])[-1] or None
        if name is not None:
            check_name(name)
            existing = storage.by_name(name)
            if existing is not None:
                return self.send_json(200, {"data": existing.as_json()})
        store = storage.create(name)
        # A relative reference, resolved against /v2/key-value-stores (RFC 9110 section 10.2.2).
        self.send_json(201, {"data": store.as_json()}, {"Location": f"key-value-stores/{store.id}"})

    def get_store(self, storage, rest, _query, _body):
        store = storage.find(rest[0])
        store.touch()
        self.send_json(200, {"data": store.as_json()})

    def update_store(self, storage, rest, _query, body):
        store = storage.find(rest[0])
        try:
            changes = json.loads(body or b"{}")
        except ValueError:
            raise ApiError(400, "invalid-input", "The body is not valid JSON")
        if not isinstance(changes, dict):
            raise ApiError(400, "invalid-input", "The body must be a JSON object")
        if "generalAccess" in changes and changes["generalAccess"] not in GENERAL_ACCESS:
            raise ApiError(400, "invalid-input", "generalAccess is not one of " + ", ".join(sorted(GENERAL_ACCESS)))
        if "name" in changes:
            name = changes["name"]
            if name is not None:
                if not isinstance(name, str):
                    raise ApiError(400, "invalid-input", "name must be a string or null")
                check_name(name)
                holder = storage.by_name(name)
                if holder is not None and holder is not store:
                    raise ApiError(409, "store-name-taken", f'Another store already has the name "{name}"')
            store.name = name
        if "generalAccess" in changes:
            store.general_access = changes["generalAccess"]
        store.touch(modified=True)
        self.send_json(200, {"data": store.as_json()})

    def delete_store(self, storage, rest, _query, _body):
        store = storage.find(rest[0])
        del storage.stores[store.id]
        self.send(204)

    # -- keys and records --------------------------------------------------------------------

    def list_keys(self, store, query):
        limit_given = non_negative(query, "limit", MAX_LIMIT, 1)
        limit = min(limit_given, MAX_LIMIT)
        start = (query.get("exclusiveStartKey") or [None])[-1] or None
        prefix = (query.get("prefix") or [""])[-1]
        # Keys are ASCII, so code point order is UTF-8 binary order.
        keys = sorted(key for key in store.records if key.startswith(prefix) and (start is None or key > start))
        page = keys[:limit]
        truncated = len(keys) > limit
        store.touch()
        self.send_json(
            200,
            {
                "data": {
                    "items": [{"key": key, "size": len(store.records[key][0])} for key in page],
                    "count": len(page),
                    "limit": limit,
                    "isTruncated": truncated,
                    "exclusiveStartKey": start,
                    "nextExclusiveStartKey": page[-1] if truncated else None,
                }
            },
        )

    def get_record(self, store, key, query, _body):
        check_key(key)
        record = store.records.get(key)
        if record is None:
            raise ApiError(404, "record-not-found", "Record was not found")
        value, content_type = record
        headers = {"Content-Disposition": f'attachment; filename="{key}"'} if flag(query, "attachment") else {}
        store.touch()
        if self.command == "HEAD":
            return self.send(200, b"", content_type, headers)
        self.send(200, value, content_type, headers)

    def put_record(self, store, key, _query, body):
        if body is None:
            raise ApiError(413, "request-too-large", f"The payload is too large (limit {PAYLOAD_LIMIT} bytes)")
        check_key(key)
        value = decode_body(body, self.headers.get("Content-Encoding"))
        content_type = self.headers.get("Content-Type") or "application/octet-stream"
        store.records[key] = (value, content_type)
        store.touch(modified=True)
        # A path-absolute reference (RFC 9110 section 10.2.2 allows any URI reference).
        location = f"/v2/key-value-stores/{store.id}/records/{key}"
        self.send_json(201, {}, {"Location": location})

    def delete_record(self, store, key, _query, _body):
        check_key(key)
        store.records.pop(key, None)
        store.touch(modified=True)
        self.send(204)


def check_key(key):
    if not KEY_PATTERN.match(key):
        raise ApiError(400, "invalid-record-key", "The record key may have 1-256 characters of a-zA-Z0-9!-_.'()")


def check_name(name):
    if len(name) > 63 or not NAME_PATTERN.match(name):
        raise ApiError(400, "invalid-input", "A store name has 1-63 letters, digits and inner hyphens")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, token, verbose):
        super().__init__(address, Handler)
        self.token = token
        self.verbose = verbose
        self.storage = Storage()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--token", required=True, help="the one API token the server accepts")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args()
    server = Server((args.host, args.port), args.token, args.verbose)
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
