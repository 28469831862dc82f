"""A stdio driver for kvs_client.py: the JSON lines protocol of docs/stdio-drivers.md.

    kvs-conformance run --driver-cmd "python3 test/drivers/python/kvs_driver.py"

One request per line on stdin, one answer per line on stdout (same id); bytes as base64; a
client error as {"status", "type", "message"}. KVS_PY_BUG=<name> plants one bug in the client
(the suites must find it): empty-record-as-miss, every-404-a-miss.
"""

import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kvs_client import KvsClient, KvsError  # noqa: E402


class EmptyRecordAsMiss(KvsClient):
    """Planted bug: a 0-byte record reads as a miss."""

    def get_record(self, store_id, key):
        record = super().get_record(store_id, key)
        return None if record is not None and len(record[0]) == 0 else record


class Every404AMiss(KvsClient):
    """Planted bug: every 404 reads as a miss, whatever its error type."""

    def _is_miss(self, status, data):
        return status == 404


BUGS = {"empty-record-as-miss": EmptyRecordAsMiss, "every-404-a-miss": Every404AMiss}


def encode_value(value):
    return {"$bytes": base64.b64encode(value).decode("ascii")} if isinstance(value, (bytes, bytearray)) else value


def decode_value(value):
    if isinstance(value, dict) and list(value) == ["$bytes"]:
        return base64.b64decode(value["$bytes"])
    return value


def handle(client, op, args):
    if op == "listStores":
        q = args.get("query", {})
        return client.list_stores(q.get("offset"), q.get("limit"), q.get("desc", False), q.get("unnamed", False))
    if op == "getOrCreateStore":
        return client.get_or_create_store(args.get("name"))
    if op == "getStore":
        return client.get_store(args["storeId"])
    if op == "updateStore":
        return client.update_store(args["storeId"], args["fields"])
    if op == "deleteStore":
        return client.delete_store(args["storeId"])
    if op == "listKeys":
        q = args.get("query", {})
        return client.list_keys(args["storeId"], q.get("limit"), q.get("exclusiveStartKey"), q.get("prefix"))
    if op == "iterateKeys":
        q = args.get("query", {})
        keys = []
        for key in client.iterate_keys(args["storeId"], q.get("prefix"), q.get("limit"), q.get("exclusiveStartKey")):
            keys.append(key)
            if len(keys) >= args.get("max", 10000):
                break
        return {"keys": keys}
    if op == "getRecord":
        record = client.get_record(args["storeId"], args["key"])
        return None if record is None else {"value": base64.b64encode(record[0]).decode("ascii"), "contentType": record[1]}
    if op == "getRecordValue":
        read = client.get_record_value(args["storeId"], args["key"])
        return None if read is None else {"value": encode_value(read[0]), "contentType": read[1]}
    if op == "recordExists":
        return client.record_exists(args["storeId"], args["key"])
    if op == "setRecord":
        return client.set_record(args["storeId"], args["key"], base64.b64decode(args["value"]), args["contentType"])
    if op == "setRecordValue":
        return client.set_record_value(args["storeId"], args["key"], decode_value(args["value"]), args.get("contentType"))
    if op == "deleteRecord":
        return client.delete_record(args["storeId"], args["key"])
    raise KvsError(0, "unknown-operation", f"this driver has no {op}")


def main():
    client = None
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        op, args = request["op"], request.get("args", {})
        try:
            if op == "hello":
                context = args["context"]
                client_class = BUGS.get(os.environ.get("KVS_PY_BUG", ""), KvsClient)
                client = client_class(
                    context["targetUrl"],
                    context.get("token"),
                    context["timeoutMs"] / 1000,
                    context["maxRetries"],
                    context["maxResponseBytes"],
                )
                bug = os.environ.get("KVS_PY_BUG")
                result = {
                    "name": f"python-stdlib{f'-{bug}' if bug else ''}",
                    "package": "kvs_client.py",
                    "version": "0.1.0",
                    "operations": ["iterateKeys", "getRecordValue", "setRecordValue"],
                }
            else:
                result = handle(client, op, args)
            answer = {"id": request["id"], "result": result}
        except KvsError as error:
            answer = {"id": request["id"], "error": {"status": error.status, "type": error.type, "message": str(error)}}
        except Exception as error:  # a bug of the driver itself: reported, the driver keeps serving
            answer = {"id": request["id"], "error": {"message": f"{type(error).__name__}: {error}"}}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
