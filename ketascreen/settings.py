"""Clinic settings: a small YAML file found via --config, KETASCREEN_CONFIG, or the user's config
directory. Each setting remembers where it came from, for `ketascreen config`.

    clinic_name: Sunrise Clinic            # on every summary
    default_questionnaire: clinic.yaml     # a bundled id, or a path relative to this file
    data_dir: /srv/ketascreen/sessions     # where sessions are kept
    summary_format: pdf                    # text, markdown, html, json or pdf
    printer: Front_Desk                    # the lp printer for `summary --print`
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ketascreen.errors import KetascreenError

KEYS = ("clinic_name", "default_questionnaire", "data_dir", "summary_format", "printer")
FORMATS = ("text", "markdown", "html", "json", "pdf")
DEFAULTS: dict[str, str | None] = {
    "clinic_name": None,
    "default_questionnaire": "ketamine-pretreatment",
    "data_dir": None,
    "summary_format": "text",
    "printer": None,
}


class SettingsError(KetascreenError):
    pass


@dataclass
class Settings:
    values: dict[str, str | None] = field(default_factory=lambda: dict(DEFAULTS))
    sources: dict[str, str] = field(default_factory=lambda: {key: "default" for key in KEYS})
    file: Path | None = None

    def get(self, key: str) -> str | None:
        return self.values[key]


def user_config_file() -> Path:
    if os.name == "nt":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "ketascreen" / "config.yaml"


def find_config(option: Path | None) -> tuple[Path | None, str]:
    """The settings file in force and why: --config, KETASCREEN_CONFIG, or the user's config file."""
    if option is not None:
        return option, "--config"
    env = os.environ.get("KETASCREEN_CONFIG")
    if env:
        return Path(env).expanduser(), "KETASCREEN_CONFIG"
    default = user_config_file()
    return (default, "user config") if default.is_file() else (None, "")


def load_settings(option: Path | None = None) -> Settings:
    from ketascreen.loading.yamlread import YamlProblem, parse, read_text

    settings = Settings()
    path, _why = find_config(option)
    if path is None:
        return settings
    settings.file = path
    if path.is_dir():
        raise SettingsError(f"{path}: is a directory; the settings are one YAML file")
    try:
        text = read_text(path)
        if not text.strip() or all(line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()):
            return settings  # an empty settings file (or only comments) changes nothing
        located, soft = parse(text)
    except YamlProblem as problem:
        raise SettingsError(f"{path}:{problem.line}: {problem.message}" if problem.line else f"{path}: {problem.message}") from None
    problems = [f"{path}:{p.line}: {p.message}" for p in soft]
    data = located.data
    if not isinstance(data, dict):
        raise SettingsError(f"{path}:1: settings are 'key: value' lines ({', '.join(KEYS)})")
    for key, value in data.items():
        line = located.key_position((key,)).line
        if key not in KEYS:
            hint = difflib.get_close_matches(str(key), KEYS, n=1)
            problems.append(f"{path}:{line}: unknown setting '{key}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                                        f"; settings are {', '.join(KEYS)}"))
            continue
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{path}:{line}: '{key}' must be text" + ("; put it in quotes" if isinstance(value, (int, float, bool)) else ""))
            continue
        value = value.strip()
        if key == "summary_format" and value not in FORMATS:
            problems.append(f"{path}:{line}: summary_format '{value}' is not one of {', '.join(FORMATS)}")
            continue
        if key in ("data_dir", "default_questionnaire"):
            value = _relative(value, path, key)
        settings.values[key] = value
        settings.sources[key] = f"{path}:{line}"
    if problems:
        raise SettingsError("\n".join(problems))
    return settings


def _relative(value: str, config: Path, key: str) -> str:
    """Paths in the settings file are relative to it; a bundled questionnaire id stays as it is."""
    candidate = Path(value).expanduser()
    if candidate.is_absolute():
        return str(candidate)
    if key == "default_questionnaire" and not (value.endswith((".yaml", ".yml")) or "/" in value):
        return value
    return str((config.parent / candidate).resolve())
