"""Retrying ERP calls with exponential backoff."""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from erp_adapter.errors import ErpUnreachable, PublishInterrupted
from medtwin.nightly.config import RetrySettings

T = TypeVar("T")
log = logging.getLogger(__name__)


def with_retries(what: str, call: Callable[[], T], settings: RetrySettings,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """``call()``, retried when the ERP is unreachable or a publish stopped part-way (it
    resumes idempotently) up to ``settings.attempts`` times, waiting
    ``backoff · factor^(k−1)`` s before attempt k+1. Refusals (login, invalid data) are not
    retried; the last error propagates."""
    attempt = 1
    while True:
        try:
            return call()
        except (ErpUnreachable, PublishInterrupted) as exc:
            if attempt >= settings.attempts:
                raise
            wait = settings.backoff_seconds * settings.factor ** (attempt - 1)
            log.warning("%s failed (attempt %d of %d): %s; retrying in %.1f s", what, attempt,
                        settings.attempts, exc, wait)
            sleep(wait)
            attempt += 1
