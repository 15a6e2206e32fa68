"""Times as people read them: in the clinic's time zone, with the zone named.

Session files and JSON keep ISO 8601 with the offset as recorded; every time a person reads (the
summary's header, the sessions list, a history's dates) is shown in one zone: the `timezone`
setting (an IANA name such as Europe/Berlin), else the machine's own.
"""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class UnknownTimeZone(ValueError):
    pass


# Files in the zone database that are not zones a clinic is in.
_NOT_ZONES = {"localtime", "posixrules", "Factory", "leapseconds", "tzdata.zi", "zone.tab", "zone1970.tab"}


def zone_named(name: str) -> tzinfo:
    """The zone of an IANA name; UnknownTimeZone when there is none of that name here."""
    if name in _NOT_ZONES:
        raise UnknownTimeZone(f"'{name}' is not a time zone name (IANA names such as Europe/London)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(f"'{name}' is not a time zone name known here (IANA names such as "
                              "Europe/London or America/New_York)") from None


def machine_zone() -> tzinfo | None:
    """The machine's zone by its IANA name (TZ, or the /etc/localtime link), so that summer time is
    right for every date; None to let the system convert each time itself."""
    named = os.environ.get("TZ", "").lstrip(":")
    candidates = [named] if named else []
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for candidate in candidates:
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return None


def display_zone(name: str | None) -> tzinfo | None:
    return zone_named(name) if name else machine_zone()


def _moment(stamp: str | datetime) -> datetime | None:
    if isinstance(stamp, datetime):
        return stamp
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment


def shown(stamp: str | datetime | None, zone: tzinfo | None) -> str:
    """"2026-11-29 10:13 CET" for 2026-11-29T09:13:02+00:00 in Europe/Berlin. A time written
    without an offset (a paper form's "09:30") is the clinic's own and is shown as written."""
    if stamp is None or stamp == "":
        return "—"
    moment = _moment(stamp)
    if moment is None:
        return str(stamp)
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M") if isinstance(stamp, datetime) or len(str(stamp)) > 10 \
            else moment.strftime("%Y-%m-%d")
    local = _in_zone(moment, zone)
    if local is None:
        return str(stamp)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


def _in_zone(moment: datetime, zone: tzinfo | None) -> datetime | None:
    """The moment in the zone; None at the far edges of the calendar, where a zone's offset would
    carry it past year 1 or 9999."""
    try:
        return moment.astimezone(zone) if zone is not None else moment.astimezone()
    except (OverflowError, OSError, ValueError):
        return None


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation (UTC, CET, EST), or UTC with its offset (UTC+04:00) where the zone
    has no abbreviation of its own."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:5]}"


def zone_name(zone: tzinfo | None) -> str:
    """The zone as a column heading says it: "Europe/Berlin", "UTC"."""
    zone = zone if zone is not None else machine_zone()
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return "UTC" if key in ("UTC", "Etc/UTC", "Etc/Zulu", "Zulu", "Etc/UCT", "UCT") else key
    return zone_label(datetime.now(zone).astimezone() if zone is None else datetime.now(zone))


def local_day(stamp: str, zone: tzinfo | None) -> str:
    """The calendar day of a recorded time where the clinic is: "2026-11-29"."""
    moment = _moment(stamp)
    if moment is None:
        return stamp[:10]
    if moment.tzinfo is None:
        return moment.date().isoformat()
    local = _in_zone(moment, zone)
    return local.date().isoformat() if local is not None else stamp[:10]


def local_iso(stamp: str, zone: tzinfo | None) -> str:
    """A recorded time moved into the clinic's zone, still ISO 8601 with its offset."""
    moment = _moment(stamp)
    if moment is None or moment.tzinfo is None:
        return stamp
    local = _in_zone(moment, zone)
    return local.isoformat(timespec="milliseconds") if local is not None else stamp
