"""Run as a script: N concurrent pg_sleep queries under eventlet; prints elapsed seconds.

The wait function comes from PSYCOPG_WAIT_FUNC (sbcommon sets wait_select unless the
environment already chose one), so the same script shows both behaviours.
"""

import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402
import time  # noqa: E402

from sqlalchemy import text  # noqa: E402

import sbcommon  # noqa: E402,F401
from sbcommon.config import server_url  # noqa: E402
from sbcommon.db import make_engine  # noqa: E402


def main(n: int, seconds: float) -> None:
    engine = make_engine(server_url("postgres"), pool_size=n)
    with engine.connect() as conn:  # warm the pool's first connection
        conn.execute(text("SELECT 1"))

    def slow() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})

    start = time.monotonic()
    pool = eventlet.GreenPool(n)
    for _ in range(n):
        pool.spawn(slow)
    pool.waitall()
    print(f"{time.monotonic() - start:.3f}")
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
