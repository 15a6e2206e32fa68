"""Clinic settings: a small YAML file found via --config, KETASCREEN_CONFIG, or the user's config
directory. Each setting remembers where it came from, for `ketascreen config`.

    clinic_name: Sunrise Clinic            # on every summary
    default_questionnaire: clinic.yaml     # a bundled id, or a path relative to this file
    data_dir: /srv/ketascreen/sessions     # where sessions are kept
    summary_format: pdf                    # text, markdown, html, json or pdf
    printer: Front_Desk                    # the lp printer for `summary --print`
    timezone: Europe/London                # times people read are shown in it (default: the machine's)
    paper: letter                          # a4 or letter, for PDF and printed HTML (default: the locale's)

Which value is in force is decided in one place, `resolve_settings`: a command-line option, then
the environment, then the settings file, then the default.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path

from ketascreen.errors import KetascreenError
from ketascreen.formats import SUMMARY_FORMATS, names

KEYS = ("clinic_name", "default_questionnaire", "data_dir", "summary_format", "printer", "timezone", "paper")
DEFAULTS: dict[str, str | None] = {
    "clinic_name": None,
    "default_questionnaire": "ketamine-pretreatment",
    "data_dir": None,  # the user's data directory (store.default_data_dir)
    "summary_format": "text",
    "printer": None,
    "timezone": None,  # the machine's own zone
    "paper": None,  # the machine's locale's paper, else A4
}
PAPERS = ("a4", "letter")
# Territories whose locales print on US Letter (glibc localedata, LC_PAPER "height 279, width 216").
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "CR", "DO", "GT", "NI", "PA", "PR", "SV", "VE"})
# Settings that may also come from the environment, and the variable that sets each.
ENVIRONMENT = {"data_dir": "KETASCREEN_DATA_DIR"}


class SettingsError(KetascreenError):
    pass


@dataclass(frozen=True)
class Settings:
    """The settings in force for one command, each with where it came from."""

    clinic_name: str | None = None
    default_questionnaire: str = "ketamine-pretreatment"
    data_dir: Path | None = None
    summary_format: str = "text"
    printer: str | None = None
    timezone: str | None = None  # an IANA name; None: the machine's zone
    paper: str = "a4"  # "a4" or "letter"
    sources: Mapping[str, str] = field(default_factory=lambda: {key: "default" for key in KEYS})
    file: Path | None = None  # the settings file read, if any
    file_reason: str = ""  # why that file: --config, KETASCREEN_CONFIG or user config

    @property
    def zone(self) -> tzinfo | None:
        """Where times are shown: the timezone setting's zone, else the machine's (None when the
        machine's zone has no IANA name: each time is then converted by the system itself)."""
        from ketascreen.clock import display_zone

        return display_zone(self.timezone)

    @property
    def sessions_directory(self) -> Path:
        """Where sessions are kept: the data_dir in force, else the user's data directory."""
        if self.data_dir is not None:
            return self.data_dir
        from ketascreen.store import default_data_dir

        return default_data_dir()


def resolve_settings(options: Mapping[str, str | Path | None] | None = None, config: Path | None = None,
                     environ: Mapping[str, str] | None = None) -> Settings:
    """The one place that decides precedence: ``options`` given on the command line (None: not
    given) over the environment over the settings file (``config``: --config) over the defaults."""
    environ = os.environ if environ is None else environ
    path, why = find_config(config, environ)
    values, sources = dict(DEFAULTS), {key: "default" for key in KEYS}
    if path is not None:
        for key, (value, where) in read_settings_file(path).items():
            values[key], sources[key] = value, where
    for key, variable in ENVIRONMENT.items():
        if environ.get(variable):
            values[key], sources[key] = environ[variable], variable
    for key, given in (options or {}).items():
        if given is not None and str(given) != "":
            values[key], sources[key] = str(given), _OPTION_NAMES.get(key, f"--{key}")
    data_dir = values["data_dir"]
    if values["paper"] is None:
        values["paper"], why_paper = locale_paper(environ)
        if why_paper:
            sources["paper"] = why_paper
    return Settings(
        clinic_name=values["clinic_name"],
        default_questionnaire=values["default_questionnaire"] or "ketamine-pretreatment",
        data_dir=Path(data_dir).expanduser() if data_dir else None,
        summary_format=values["summary_format"] or "text",
        printer=values["printer"],
        timezone=values["timezone"],
        paper=values["paper"] or "a4",
        sources=sources,
        file=path,
        file_reason=why,
    )


def locale_paper(environ: Mapping[str, str]) -> tuple[str, str]:
    """The paper the machine's locale prints on, and which variable said so ("" when none did:
    then A4, the paper of most of the world). POSIX order: LC_ALL, then LC_PAPER, then LANG."""
    for variable in ("LC_ALL", "LC_PAPER", "LANG"):
        value = environ.get(variable, "")
        if value:
            territory = value.split(".")[0].split("@")[0].partition("_")[2].upper()
            return ("letter" if territory in LETTER_TERRITORIES else "a4"), f"locale ({variable}={value})"
    return "a4", ""


_OPTION_NAMES = {"paper": "--paper", "data_dir": "--data-dir", "summary_format": "--format", "default_questionnaire": "the command line"}


def user_config_file() -> Path:
    if os.name == "nt":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "ketascreen" / "config.yaml"


def find_config(option: Path | None, environ: Mapping[str, str] | None = None) -> tuple[Path | None, str]:
    """The settings file in force and why: --config, KETASCREEN_CONFIG, or the user's config file."""
    if option is not None:
        return option, "--config"
    env = (os.environ if environ is None else environ).get("KETASCREEN_CONFIG")
    if env:
        return Path(env).expanduser(), "KETASCREEN_CONFIG"
    default = user_config_file()
    return (default, "user config") if default.is_file() else (None, "")


def read_settings_file(path: Path) -> dict[str, tuple[str, str]]:
    """Each setting the file gives, with its place (``file:line``); every problem at once."""
    from ketascreen.loading.yamlread import YamlProblem, parse, read_text

    found: dict[str, tuple[str, str]] = {}
    if path.is_dir():
        raise SettingsError(f"{path}: is a directory; the settings are one YAML file")
    try:
        text = read_text(path)
        if not text.strip() or all(line.lstrip().startswith("#") or not line.strip() for line in text.splitlines()):
            return found  # an empty settings file (or only comments) changes nothing
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
        if key == "timezone" and not _known_zone(value):
            problems.append(f"{path}:{line}: timezone '{value}' is not a time zone name known here; use an IANA "
                            "name such as Europe/London or America/New_York")
            continue
        if key == "paper" and value.lower() not in PAPERS:
            problems.append(f"{path}:{line}: paper '{value}' is not one of {', '.join(PAPERS)}")
            continue
        if key == "paper":
            value = value.lower()
        if key == "summary_format" and value not in SUMMARY_FORMATS:
            problems.append(f"{path}:{line}: summary_format '{value}' is not one of {names(SUMMARY_FORMATS)}")
            continue
        if key in ("data_dir", "default_questionnaire"):
            value = _relative(value, path, key)
        found[key] = (value, f"{path}:{line}")
    if problems:
        raise SettingsError("\n".join(problems))
    return found


def _known_zone(name: str) -> bool:
    from ketascreen.clock import UnknownTimeZone, zone_named

    try:
        zone_named(name)
    except UnknownTimeZone:
        return False
    return True


def _relative(value: str, config: Path, key: str) -> str:
    """Paths in the settings file are relative to it; a bundled questionnaire id stays as it is."""
    candidate = Path(value).expanduser()
    if candidate.is_absolute():
        return str(candidate)
    if key == "default_questionnaire" and not (value.endswith((".yaml", ".yml")) or "/" in value):
        return value
    return str((config.parent / candidate).resolve())
