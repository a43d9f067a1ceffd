"""Run as a script: hash passwords in green threads while a ticker green thread counts how
often the hub lets it run. Prints "<ticks> <expected ticks>" for the chosen mode."""

import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402
import time  # noqa: E402

from services.accounts.domain.passwords import Hasher  # noqa: E402
from services.accounts.service import _hash_off_hub  # noqa: E402

TICK = 0.005


def main(mode: str, hashes: int) -> None:
    # "tpool": exactly what the accounts service runs (OS threads, at most cores - 1 at once)
    run = _hash_off_hub if mode == "tpool" else (lambda fn, *a: fn(*a))
    hasher = Hasher(run=run)
    ticks = 0
    done = False

    def ticker() -> None:
        nonlocal ticks
        while not done:
            eventlet.sleep(TICK)
            ticks += 1

    eventlet.spawn(ticker)
    eventlet.sleep(0)
    start = time.monotonic()
    pool = eventlet.GreenPool(4)
    for i in range(hashes):
        pool.spawn(hasher.hash, f"password-{i}")
    pool.waitall()
    elapsed = time.monotonic() - start
    done = True
    print(ticks, int(elapsed / TICK))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
