"""Fusebill's JSON on the wire: exact decimals, and the one error body every failure has."""

import json
from decimal import Decimal

from django.http import HttpResponse


class FusebillError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class BadQuery(Exception):
    """A `query` Fusebill cannot parse: always the documented error body."""


def to_json(value: object) -> str:
    """JSON text with Decimal written as a number, digit for digit (json.dumps only knows floats)."""
    out = []
    _write(value, out.append)
    return "".join(out)


def _write(value, emit):
    if value is None:
        emit("null")
    elif value is True or value is False:
        emit("true" if value else "false")
    elif isinstance(value, str):
        emit(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        emit(_number(value))
    elif isinstance(value, int):
        emit(str(value))
    elif isinstance(value, dict):
        emit("{")
        for index, (key, item) in enumerate(value.items()):
            emit(f"{',' if index else ''}{json.dumps(key)}:")
            _write(item, emit)
        emit("}")
    elif isinstance(value, (list, tuple)):
        emit("[")
        for index, item in enumerate(value):
            if index:
                emit(",")
            _write(item, emit)
        emit("]")
    else:
        raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def _number(value):
    if not value.is_finite():
        raise ValueError("JSON has no NaN or infinity")
    if not value:
        return "0"
    return format(value.normalize(), "f")  # 264.00 -> 264, 37.714285 stays


def json_response(
    data: object, headers: dict | None = None, status: int = 200, body: bytes | None = None
) -> HttpResponse:
    response = HttpResponse(
        body if body is not None else to_json(data), status=status, content_type="application/json; charset=utf-8"
    )
    for name, value in (headers or {}).items():
        response[name] = str(value)
    return response


def error(status: int, message: str) -> HttpResponse:
    body = {"ErrorId": 0, "HttpStatusCode": status, "Errors": [{"Key": "Api Error", "Value": message}]}
    return json_response(body, status=status)
