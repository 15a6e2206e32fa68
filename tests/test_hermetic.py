"""The tests do not depend on the machine they run on: a clinic's settings in the home directory,
KETASCREEN_* variables or terminal settings change nothing, and nothing is written where they point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import MACHINE_PREFIXES, MACHINE_VARIABLES, ROOT

HOSTILE_CONFIG = """\
clinic_name: "Elsewhere \\e]0;title\\a\\e[2J Clinic"
summary_format: pdf
data_dir: {data_dir}
default_questionnaire: nonexistent.yaml
printer: Nowhere
"""
# A part that exercises every command's defaults, summaries in every format (where summary_format
# would change the default), a summary at a terminal, and the settings tests.
SUBSET = ["tests/test_cli.py", "tests/test_summary.py",
          "tests/test_customising.py::test_settings_are_shown_with_their_source_and_used",
          "tests/test_customising.py::test_bad_settings_point_at_the_line"]


def test_each_test_has_a_home_of_its_own_and_none_of_the_machine_settings(tmp_path: Path, cli) -> None:
    home = Path.home()
    assert home != tmp_path and not home.is_relative_to(tmp_path) and sorted(os.listdir(home)) == [".cache", ".config", ".local"]
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        assert Path(os.environ[name]).is_relative_to(home)
    assert not [name for name in os.environ if name in MACHINE_VARIABLES or name.startswith(MACHINE_PREFIXES)]
    assert os.environ["TZ"] == "UTC"
    shown = cli("config")
    assert shown.code == 0 and "settings file: none (defaults in force)" in shown.out
    assert f"data_dir: {home / '.local' / 'share' / 'ketascreen'}  [default]" in shown.out


def test_the_suite_passes_under_a_hostile_home_and_environment(tmp_path: Path) -> None:
    """A representative part of the suite, run by another pytest as a user whose machine has clinic
    settings that change every default and KETASCREEN_* variables pointing elsewhere."""
    home = tmp_path / "home"
    written_to = {name: tmp_path / name for name in ("config-sessions", "env-sessions", "xdg-data")}
    config = home / ".config" / "ketascreen" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(HOSTILE_CONFIG.format(data_dir=written_to["config-sessions"]), encoding="utf-8")
    xdg_config = tmp_path / "xdg-config" / "ketascreen" / "config.yaml"
    xdg_config.parent.mkdir(parents=True)
    xdg_config.write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env.update({
        "HOME": str(home), "XDG_CONFIG_HOME": str(xdg_config.parent.parent), "XDG_DATA_HOME": str(written_to["xdg-data"]),
        "KETASCREEN_CONFIG": str(config), "KETASCREEN_DATA_DIR": str(written_to["env-sessions"]), "KETASCREEN_DEBUG": "1",
        "_KETASCREEN_COMPLETE": "bash_complete", "NO_COLOR": "1", "FORCE_COLOR": "1", "TERM": "dumb", "COLUMNS": "20",
        "LINES": "5", "TERMINAL_WIDTH": "20", "SOURCE_DATE_EPOCH": "0", "TZ": "Pacific/Kiritimati",
    })
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-x", "-q",
                           "--basetemp", str(tmp_path / "basetemp"), *SUBSET],
                          cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
    assert [name for name, path in written_to.items() if path.exists()] == []
    assert sorted(os.listdir(home)) == [".config"]  # nor in the hostile home's default data directory
