"""Pseudonymisation of patient identifiers and a log filter that keeps them out of logs."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from django.conf import settings


def pseudonymise(identifier: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a source identifier; the same input gives the same token."""
    key = settings.HOSPOPS_PSEUDONYM_KEY.encode()
    return hmac.new(key, identifier.strip().encode(), hashlib.sha256).hexdigest()


# Shapes that look like direct identifiers: US SSN, UK NHS number, e-mail addresses, UUIDs.
_IDENTIFIER_PATTERNS = [
    re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"),
    re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"),
    re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I),
]


def redact(text: str) -> str:
    for pattern in _IDENTIFIER_PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


class RedactIdentifiersFilter(logging.Filter):
    """Last line of defence: code never logs identifiers, and this masks any that slip through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
