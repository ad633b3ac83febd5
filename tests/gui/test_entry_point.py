"""`photoarchive gui --archive DIR` starts the application (and keeps running)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path


def test_photoarchive_gui_command_starts_and_runs(tmp_path: Path, cli_env) -> None:
    env = dict(cli_env, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(
        [sys.executable, "-m", "photoarchive", "gui", "--archive", str(tmp_path / "arch")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 3.5
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert proc.poll() is None, proc.communicate()[1]  # still running: the window is up
        proc.send_signal(signal.SIGINT)  # Ctrl-C: closes the window cleanly
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in err, err
    assert (Path(env["XDG_CONFIG_HOME"]) / "photoarchive" / "gui.ini").exists()  # state saved
