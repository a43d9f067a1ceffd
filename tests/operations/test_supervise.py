"""deploy/supervise.sh, which runs every process of the dev run: a process that dies is
restarted after a growing back-off and the restart is said; stopping the supervisor stops
its process."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tests.support import ROOT, wait_until

SUPERVISE = str(ROOT / "deploy" / "supervise.sh")


def test_a_dying_process_is_restarted_with_back_off_and_said(tmp_path):
    log = tmp_path / "dies.log"
    env = {**os.environ, "SB_RUN_DIR": str(tmp_path), "SB_RESTART_MIN_SECONDS": "1",
           "SB_RESTART_MAX_SECONDS": "2"}
    proc = subprocess.Popen([SUPERVISE, "dies", str(log), "sh", "-c", "echo run; exit 3"],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        text = wait_until(lambda: log.exists() and log.read_text().count("run") >= 3
                          and log.read_text(), timeout=20, message="three runs")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    assert "dies (pid" in text and "exited with status 3" in text
    assert "restarting in 1 s" in text and "restarting in 2 s" in text  # doubled, capped
    assert "restarted dies (pid" in stderr  # said on the terminal too
    assert proc.returncode == 0


def test_stopping_the_supervisor_stops_its_process(tmp_path):
    env = {**os.environ, "SB_RUN_DIR": str(tmp_path)}
    proc = subprocess.Popen([SUPERVISE, "sleeper", str(tmp_path / "s.log"), "sleep", "300"],
                            env=env, stderr=subprocess.DEVNULL)
    pid_file = tmp_path / "sleeper.pid"
    child = int(wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(),
                           timeout=10, message="the child's pid file"))
    os.kill(child, 0)  # running
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the supervised process outlived its supervisor")
    assert not pid_file.exists()
