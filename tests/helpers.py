"""Small helpers shared by the async tests."""

from __future__ import annotations

import asyncio
from typing import Callable


async def until(pred: Callable[[], bool], timeout: float = 20.0, every: float = 0.005) -> None:
    """Wait until ``pred()`` holds; fail the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {getattr(pred, '__name__', 'a condition')}")
        await asyncio.sleep(every)
