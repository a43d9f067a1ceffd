"""Replicas for 1 000 / 10 000 / 100 000 subscribers, from measured capacity per replica.

    .venv/bin/python bench/sizing.py [--authorize 350] [--files 117] [--mails 40]
        [--pdfs 0.7] [--import-lines 4481] [--sign-ins 0.94]

The capacities are what bench/run.sh printed (per replica, see docs/operations.md); the load
model below turns subscribers into peak rates. Each count is the peak over one replica's
capacity with 50 % head-room, never under the high-availability minimum. Prints the table
docs/operations.md shows.
"""

from __future__ import annotations

import argparse
import math

SUBSCRIBERS = (1_000, 10_000, 100_000)
HEADROOM = 1.5

# The load model (a hosted business PBX), per subscriber:
BUSY_HOUR_CALLS = 4.0  # outgoing call attempts in the busy hour, each one authorize
BURST = 3.0  # the busiest second over the busy hour's average
PHONES = 1.0  # IP phones per subscriber, each fetching FILES_PER_BOOT files at boot
FILES_PER_BOOT = 3
STORM_SHARE, STORM_SECONDS = 0.25, 300  # a power cut reboots a quarter of them in 5 min
SUBSCRIBERS_PER_CUSTOMER = 10  # a statement (PDF) per customer account at month end
STATEMENT_HOURS = 2.0  # the month-end statement run should take at most this long
MAILS_PER_SUBSCRIBER_HOUR = 0.05  # resets, access codes, messages at the busiest hour
NUMBERS_PER_SUBSCRIBER = 1.2  # DIDs imported per subscriber, over a day of imports
SIGN_INS_PER_SUBSCRIBER_HOUR = 0.02  # portal and API sign-ins (argon2id) at the busiest hour

MINIMUM = {"routing_policy": 3, "gateway": 3, "provisioning-files": 2, "notifications": 2,
           "numbering": 2, "accounts": 2, "provisioning": 2}


def replicas(peak: float, capacity: float, minimum: int) -> int:
    return max(minimum, math.ceil(peak * HEADROOM / capacity))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--authorize", type=float, default=350.0,
                        help="authorize/s of one core of routing_policy and of the gateway "
                        "(the lower of the two)")
    parser.add_argument("--files", type=float, default=117.0,
                        help="provisioning files/s of one file server")
    parser.add_argument("--mails", type=float, default=40.0,
                        help="mails/s delivered by one notifications replica")
    parser.add_argument("--pdfs", type=float, default=0.7,
                        help="statements (PDF) per second of one notifications replica")
    parser.add_argument("--import-lines", type=float, default=4481.0,
                        help="number-import lines/s of one numbering replica")
    parser.add_argument("--sign-ins", type=float, default=0.94,
                        help="argon2id sign-ins/s of one accounts replica")
    args = parser.parse_args()
    print("| subscribers | peak authorize/s | routing_policy + gateway | phone files/s (storm) "
          "| file servers | statements/h + mail/s | notifications | numbers to import "
          "| numbering | sign-ins/s | accounts |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for subs in SUBSCRIBERS:
        authorize = subs * BUSY_HOUR_CALLS / 3600 * BURST
        files = subs * PHONES * STORM_SHARE * FILES_PER_BOOT / STORM_SECONDS
        statements = subs / SUBSCRIBERS_PER_CUSTOMER / (STATEMENT_HOURS * 3600)
        mails = subs * MAILS_PER_SUBSCRIBER_HOUR / 3600
        notif = max(replicas(statements, args.pdfs, MINIMUM["notifications"]),
                    replicas(mails, args.mails, MINIMUM["notifications"]))
        numbers = subs * NUMBERS_PER_SUBSCRIBER
        # a day's imports within an hour of one replica's work
        numbering = replicas(numbers / 3600, args.import_lines, MINIMUM["numbering"])
        rp = replicas(authorize, args.authorize, MINIMUM["routing_policy"])
        sign_ins = subs * SIGN_INS_PER_SUBSCRIBER_HOUR / 3600
        print(f"| {subs:,} | {authorize:,.1f} | {rp} + {rp} | {files:,.1f} "
              f"| {replicas(files, args.files, MINIMUM['provisioning-files'])} "
              f"| {statements * 3600:,.0f} + {mails:.2f} | {notif} | {numbers:,.0f} "
              f"| {numbering} | {sign_ins:.2f} "
              f"| {replicas(sign_ins, args.sign_ins, MINIMUM['accounts'])} |")


if __name__ == "__main__":
    main()
