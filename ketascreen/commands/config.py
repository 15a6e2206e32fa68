"""`ketascreen config`: each clinic setting in force and where it comes from."""

from __future__ import annotations

from ketascreen.settings import KEYS, Settings


def config(settings: Settings) -> list[str]:
    """The lines to show: the settings file, then ``key: value  [source]`` for each setting."""
    lines = [f"settings file: {settings.file} ({settings.file_reason})" if settings.file
             else "settings file: none (defaults in force)"]
    for key in KEYS:
        value = settings.sessions_directory if key == "data_dir" else getattr(settings, key)
        if key == "timezone" and value is None:
            from ketascreen.clock import zone_name

            value = f"{zone_name(None)} (the machine's)"
        shown = value if value is not None else "—"
        lines.append(f"{key}: {shown}  [{settings.sources[key]}]")
    return lines
