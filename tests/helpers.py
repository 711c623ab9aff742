"""Small helpers shared by the async tests."""

from __future__ import annotations

import asyncio
from typing import Callable


async def until(pred: Callable[[], bool], timeout: float = 120.0, every: float = 0.005) -> None:
    """Wait until ``pred()`` holds; fail the test after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {getattr(pred, '__name__', 'a condition')}")
        await asyncio.sleep(every)


async def drive(wand, done: Callable[[], bool], before_next=None) -> None:
    """Replay a SimulatedWand's tries one packet at a time, yielding to the loop after each;
    ``before_next(emitted)`` may hold the wand (e.g. until the daemon reconnected), so a
    test paces the wand by events, not by this machine's speed."""
    for emitted in wand.replay():
        await asyncio.sleep(0)
        if before_next is not None:
            await before_next(emitted)
        if done():
            return
