"""The API's JSON parser, bounded: a body larger than REQUEST_BODY_MAX_BYTES answers 413 and JSON
nested deeper than JSON_MAX_DEPTH answers 400, both before the body is decoded, so no request can
exhaust memory or Python's recursion limit (issue 11: 2 000 nested lists gave a RecursionError)."""

from __future__ import annotations

import re

from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

from config.limits import JSON_MAX_DEPTH, REQUEST_BODY_MAX_BYTES

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = f"Begäran är för stor (högst {REQUEST_BODY_MAX_BYTES // 1024} kB)."


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= JSON_MAX_DEPTH:
        return 0  # cannot be too deep: skip the scan
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(REQUEST_BODY_MAX_BYTES + 1) if stream is not None else b""
        if len(raw) > REQUEST_BODY_MAX_BYTES:
            raise RequestTooLarge()
        try:
            text = raw.decode(get_encoding(parser_context or {}))
        except UnicodeDecodeError as exc:
            raise ParseError("Begäran är inte giltig text i den angivna teckenkodningen.", code="parse_error") from exc
        if json_depth(text) > JSON_MAX_DEPTH:
            raise ParseError(f"JSON-data får vara nästlad i högst {JSON_MAX_DEPTH} nivåer.", code="too_deep")
        try:
            return json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
