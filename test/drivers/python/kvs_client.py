"""A small Key-Value Store API (v2) client in Python 3, standard library only.

Written from the public API docs as a client maintainer would write one: Bearer token, the
``{"data": ...}`` envelope, a key iterator that follows ``nextExclusiveStartKey``, retries of 5xx
and 429 answers within ``max_retries``, a miss (404 with a not-found error type) read as ``None``.
The conformance suites check it through ``kvs_driver.py`` (``--driver-cmd``).
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

NOT_FOUND_TYPES = {"record-not-found", "record-or-token-not-found"}


class KvsError(Exception):
    """An error answer: the HTTP status and the error type of its envelope."""

    def __init__(self, status, error_type, message):
        super().__init__(f"{status} {error_type}: {message}")
        self.status = status
        self.type = error_type


class KvsClient:
    def __init__(self, base_url, token=None, timeout_s=30.0, max_retries=0, max_response_bytes=1 << 26):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes

    # -- transport -------------------------------------------------------------------------------

    def _once(self, method, path, query, body, content_type):
        url = f"{self.base_url}/v2{path}"
        params = {k: v for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, dict(response.headers.items()), self._read(response)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers.items()), self._read(error)

    def _read(self, response):
        data = response.read(self.max_response_bytes + 1)
        if len(data) > self.max_response_bytes:
            raise KvsError(0, "response-too-large", f"over {self.max_response_bytes} bytes")
        return data

    def call(self, method, path, query=None, body=None, content_type=None):
        """One API call, retried unchanged on 5xx and 429 up to max_retries times."""
        attempt = 0
        while True:
            status, headers, data = self._once(method, path, query, body, content_type)
            if (status == 429 or status >= 500) and attempt < self.max_retries:
                time.sleep(0.01 * 2**attempt)
                attempt += 1
                continue
            return status, headers, data

    @staticmethod
    def _error(status, data):
        try:
            error = json.loads(data.decode("utf-8")).get("error", {})
        except (ValueError, AttributeError):
            error = {}
        return KvsError(status, error.get("type", "unknown"), error.get("message", data[:200].decode("utf-8", "replace")))

    def _data(self, status, data):
        if status >= 400:
            raise self._error(status, data)
        return json.loads(data.decode("utf-8"))["data"]

    def _is_miss(self, status, data):
        if status != 404:
            return False
        error = self._error(status, data)
        if error.type in NOT_FOUND_TYPES:
            return True
        raise error

    @staticmethod
    def _record_path(store_id, key):
        return f"/key-value-stores/{urllib.parse.quote(store_id, safe='')}/records/{urllib.parse.quote(key, safe='')}"

    # -- stores ----------------------------------------------------------------------------------

    def list_stores(self, offset=None, limit=None, desc=False, unnamed=False):
        query = {"offset": offset, "limit": limit, "desc": 1 if desc else None, "unnamed": 1 if unnamed else None}
        status, _, data = self.call("GET", "/key-value-stores", query)
        return self._data(status, data)

    def get_or_create_store(self, name=None):
        status, _, data = self.call("POST", "/key-value-stores", {"name": name})
        return self._data(status, data)

    def get_store(self, store_id):
        status, _, data = self.call("GET", f"/key-value-stores/{urllib.parse.quote(store_id, safe='')}")
        return None if self._is_miss(status, data) else self._data(status, data)

    def update_store(self, store_id, fields):
        body = json.dumps(fields).encode("utf-8")
        status, _, data = self.call(
            "PUT", f"/key-value-stores/{urllib.parse.quote(store_id, safe='')}", None, body, "application/json"
        )
        return self._data(status, data)

    def delete_store(self, store_id):
        status, _, data = self.call("DELETE", f"/key-value-stores/{urllib.parse.quote(store_id, safe='')}")
        if status >= 400:
            raise self._error(status, data)

    # -- keys ------------------------------------------------------------------------------------

    def list_keys(self, store_id, limit=None, exclusive_start_key=None, prefix=None):
        query = {"limit": limit, "exclusiveStartKey": exclusive_start_key, "prefix": prefix}
        status, _, data = self.call("GET", f"/key-value-stores/{urllib.parse.quote(store_id, safe='')}/keys", query)
        return self._data(status, data)

    def iterate_keys(self, store_id, prefix=None, limit=None, exclusive_start_key=None):
        """Every key (with the prefix), page after page; ``limit`` is the most keys in total."""
        left = limit
        cursor = exclusive_start_key
        while left is None or left > 0:
            page = self.list_keys(store_id, left, cursor, prefix)
            items = page["items"] if left is None else page["items"][:left]
            for item in items:
                yield item["key"]
            if left is not None:
                left -= len(items)
            cursor = page.get("nextExclusiveStartKey")
            if cursor is None:
                return

    # -- records ---------------------------------------------------------------------------------

    def get_record(self, store_id, key):
        """The record's bytes and content type, or None for a miss."""
        status, headers, data = self.call("GET", self._record_path(store_id, key))
        if self._is_miss(status, data):
            return None
        if status >= 400:
            raise self._error(status, data)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        return data, content_type

    def get_record_value(self, store_id, key):
        """The record's value decoded by its content type (JSON, text, or bytes), or None for a miss."""
        record = self.get_record(store_id, key)
        if record is None:
            return None
        data, content_type = record
        media = content_type.split(";")[0].strip().lower()
        if media == "application/json":
            return json.loads(data.decode("utf-8")), content_type
        if media.startswith("text/") or media.endswith("xml"):
            return data.decode("utf-8"), content_type
        return data, content_type

    def record_exists(self, store_id, key):
        status, _, data = self.call("HEAD", self._record_path(store_id, key))
        if status == 404:
            return False
        if status >= 400:
            raise KvsError(status, "unknown", "HEAD failed")
        return True

    def set_record(self, store_id, key, value, content_type):
        status, _, data = self.call("PUT", self._record_path(store_id, key), None, value, content_type)
        if status >= 400:
            raise self._error(status, data)

    def set_record_value(self, store_id, key, value, content_type=None):
        """Writes bytes, a string or a JSON value; without a content type one is picked by the value's kind."""
        if isinstance(value, (bytes, bytearray)):
            content_type = content_type or "application/octet-stream"
            body = bytes(value)
        elif isinstance(value, str):
            content_type = content_type or "text/plain; charset=utf-8"
            body = value.encode("utf-8")
        else:
            content_type = content_type or "application/json; charset=utf-8"
            body = json.dumps(value).encode("utf-8")
        self.set_record(store_id, key, body, content_type)

    def delete_record(self, store_id, key):
        status, _, data = self.call("DELETE", self._record_path(store_id, key))
        if status >= 400 and not self._is_miss(status, data):
            raise self._error(status, data)
