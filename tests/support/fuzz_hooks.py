"""Schemathesis hooks for tests/api/test_api_fuzz.py (loaded by the `st` process it starts).

The personas have no signing keys: a generated `HCoC-Signature` header could only ever meet a 401
(tests/log/test_ledger_api.py tests signatures), so the fuzzer is not told of that optional header
and reaches the operations themselves.
"""

import schemathesis


@schemathesis.hook
def before_load_schema(context, raw_schema):
    for operations in raw_schema.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "parameters" in operation:
                operation["parameters"] = [
                    p for p in operation["parameters"] if p.get("name") != "HCoC-Signature"
                ]
