"""The success envelope: ``{"data": ...}``, and for pages ``{"data": [...], "meta": {...}}``."""

import msgspec


class Data[T](msgspec.Struct, kw_only=True):
    data: T
