"""A real Kamailio with the shipped configuration, and sipp scenarios to drive it.

Scenarios are written per test (the expected answer and the extra headers differ); the
proxy configuration is the file in deploy/pbx/kamailio, unchanged.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT, free_port

KAMAILIO_CFG = ROOT / "deploy" / "pbx" / "kamailio" / "kamailio.cfg"
MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"

_HEAD = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="{name}">\n'


def _msg(text: str) -> str:
    return "<![CDATA[\n" + text.strip("\n") + "\n\n]]>"


def register_scenario(domain: str, user: str, expect: int) -> str:
    """REGISTER, its 401 challenge, REGISTER with the digest; then ``expect``."""
    register = """
REGISTER sip:{domain} SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@{domain}>;tag=[pid]SIPpTag00[call_number]
To: <sip:{user}@{domain}>
Call-ID: [call_id]
CSeq: {cseq} REGISTER
Contact: <sip:{user}@[local_ip]:[local_port]>
Expires: 300
Max-Forwards: 70
{auth}Content-Length: 0
"""
    return (_HEAD.format(name="register")
            + f'  <send retrans="500">{_msg(register.format(domain=domain, user=user, cseq=1, auth=""))}</send>\n'  # noqa: E501
            + '  <recv response="401" auth="true"/>\n'
            + f'  <send retrans="500">{_msg(register.format(domain=domain, user=user, cseq=2, auth="[authentication]" + chr(10)))}</send>\n'  # noqa: E501
            + f'  <recv response="{expect}"/>\n</scenario>\n')


def call_scenario(domain: str, user: str, expect: int, headers: str = "",
                  reason: str | None = None) -> str:
    """INVITE, its 407 challenge, INVITE with the digest; then a 200 (ACK, BYE) or
    ``expect`` (ACK), whose status line must contain ``reason`` when given."""
    common = """
From: <sip:{user}@{domain}>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@{domain}>{to_tag}
Call-ID: [call_id]
CSeq: {cseq}
Contact: <sip:{user}@[local_ip]:[local_port]>
Max-Forwards: 70
"""

    def message(first: str, cseq: str, extra: str = "", to_tag: str = "",
                branch: str = "[branch]", routes: str = "") -> str:
        return _msg(f"{first}\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch={branch}"
                    f"\n{routes}"
                    + common.format(user=user, domain=domain, cseq=cseq, to_tag=to_tag).strip(
                        "\n") + "\n" + extra + "Content-Length: 0")

    invite = f"INVITE sip:[service]@{domain} SIP/2.0"
    parts = [
        f'<send retrans="500">{message(invite, "1 INVITE", headers)}</send>',
        '<recv response="407" auth="true"/>',
        f'<send>{message(f"ACK sip:[service]@{domain} SIP/2.0", "1 ACK", to_tag="[peer_tag_param]", branch="[branch-2]")}</send>',  # noqa: E501
        f'<send retrans="500">{message(invite, "2 INVITE", headers + "[authentication]" + chr(10))}</send>',  # noqa: E501
        '<recv response="100" optional="true"/>',
    ]
    if expect == 200:
        parts += [
            '<recv response="200" rrs="true"/>',
            f'<send>{message("ACK [next_url] SIP/2.0", "2 ACK", to_tag="[peer_tag_param]", routes="[routes]" + chr(10))}</send>',  # noqa: E501
            # a short call: a BYE sent at once can overtake the ACK through a proxy's
            # parallel workers, which no real call does
            '<pause milliseconds="100"/>',
            f'<send retrans="500">{message("BYE [next_url] SIP/2.0", "3 BYE", to_tag="[peer_tag_param]", routes="[routes]" + chr(10))}</send>',  # noqa: E501
            '<recv response="200"/>',
        ]
    else:
        check = (f'<action><ereg regexp="SIP/2.0 {expect} [^\\r\\n]*{reason}" search_in="msg" '
                 'check_it="true" assign_to="why"/></action>') if reason else ""
        parts += [
            f'<recv response="{expect}">{check}</recv>',
            f'<send>{message(f"ACK sip:[service]@{domain} SIP/2.0", "2 ACK", to_tag="[peer_tag_param]", branch="[branch-2]")}</send>',  # noqa: E501
        ]
        if reason:
            parts.append('<Reference variables="why"/>')  # sipp refuses unused variables
    return _HEAD.format(name="call") + "".join(f"  {p}\n" for p in parts) + "</scenario>\n"


CARRIER = _HEAD.format(name="carrier") + """  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 100 Trying
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
[last_Record-Route:]
Contact: <sip:carrier@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
  <recv request="ACK" optional="true"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
"""


@dataclass
class Proxy:
    """Kamailio and the carrier (a sipp answering every call) it sends allowed calls to."""

    port: int
    domain: str
    kamailio: subprocess.Popen
    carrier: subprocess.Popen
    workdir: Path

    def log_text(self) -> str:
        return (self.workdir / "kamailio.log").read_text(errors="replace")

    def stop(self) -> None:
        # sipp keeps running on SIGTERM while calls are open: the carrier holds no state
        # worth a clean exit.
        if self.carrier.poll() is None:
            self.carrier.kill()
        for proc in (self.kamailio, self.carrier):
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def start_proxy(kamailio: str, sipp: str, pbx_address: str, token: str, domain: str,
                workdir: Path, children: int = 8, shm_mb: int = 256) -> Proxy:
    workdir.mkdir(parents=True, exist_ok=True)
    port, carrier_port = free_port(), free_port()
    (workdir / "carrier.xml").write_text(CARRIER)
    carrier = subprocess.Popen(
        [sipp, "-sf", str(workdir / "carrier.xml"), "-i", "127.0.0.1", "-p",
         str(carrier_port), "-nostdin", "-trace_err", "-error_file",
         str(workdir / "carrier-errors.log")],
        cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=(workdir / "carrier.log").open("ab"))
    env = {**os.environ, "SB_SIP_LISTEN": f"udp:127.0.0.1:{port}", "SB_SIP_DOMAIN": domain,
           "SB_PBX_HTTPCON": f"sb=>http://pbx:{token}@{pbx_address}/pbx/v1",
           "SB_CARRIER": f"sip:127.0.0.1:{carrier_port}"}
    proc = subprocess.Popen(
        [kamailio, "-DD", "-E", "-f", str(KAMAILIO_CFG), "-L", MODULES, "-m", str(shm_mb),
         "-M", "8", "-n", str(children), "-Y", str(workdir), "-P", str(workdir / "kamailio.pid")],
        cwd=workdir, env=env, stdin=subprocess.DEVNULL,
        stdout=(workdir / "kamailio.log").open("ab"), stderr=subprocess.STDOUT)
    proxy = Proxy(port, domain, proc, carrier, workdir)
    deadline = time.monotonic() + 15
    while "INFO: <core> [core/" not in proxy.log_text() or not _listening(proxy):
        if proc.poll() is not None or time.monotonic() > deadline:
            proxy.stop()
            raise RuntimeError(f"kamailio did not start:\n{proxy.log_text()[-3000:]}")
        time.sleep(0.1)
    return proxy


def _listening(proxy: Proxy) -> bool:
    return "kamailio" in subprocess.run(
        ["ss", "-lunp", f"sport = :{proxy.port}"], capture_output=True, text=True).stdout


@dataclass
class Run:
    returncode: int
    output: str
    stats: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_sipp(sipp: str, proxy: Proxy, scenario: str, workdir: Path, name: str, *,
             user: str = "", password: str = "", service: str = "", calls: int = 1,
             rate: float = 10, timeout: int = 60) -> Run:
    """One sipp run against the proxy; sipp exits 0 when every call went as scripted."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / f"{name}.xml"
    path.write_text(scenario)
    stats = workdir / f"{name}-stats.csv"
    args = [sipp, f"127.0.0.1:{proxy.port}", "-sf", str(path), "-i", "127.0.0.1",
            "-p", str(free_port()), "-m", str(calls), "-r", str(rate), "-nostdin",
            "-timeout", f"{timeout}s", "-timeout_error", "-trace_err", "-error_file",
            str(workdir / f"{name}-errors.log"), "-trace_stat", "-stf", str(stats),
            "-recv_timeout", "5000", "-max_retrans", "3"]
    if user:
        args += ["-au", user, "-ap", password]
    if service:
        args += ["-s", service]
    done = subprocess.run(args, cwd=workdir, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout + 30)
    errors = workdir / f"{name}-errors.log"
    return Run(done.returncode, done.stdout[-2000:] + done.stderr[-2000:]
               + (errors.read_text(errors="replace")[-3000:] if errors.exists() else ""),
               stats.read_text(errors="replace") if stats.exists() else "")
