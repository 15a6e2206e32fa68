"""The printed page: paper sizes, margins and the colours of the at-a-glance panel, shared by the
PDF and the HTML print style so that both file the same way in a chart."""

from __future__ import annotations

from dataclasses import dataclass

# Width and height in millimetres.
SIZES = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
# A wider left margin leaves room for a two-hole punch (holes sit 9–13 mm from the edge).
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 25.0, 15.0, 12.0, 14.0


@dataclass(frozen=True)
class Tone:
    """How one kind of finding is printed: ink, and a light fill behind it."""

    ink: tuple[int, int, int]
    fill: tuple[int, int, int]

    @property
    def ink_hex(self) -> str:
        return "#" + "".join(f"{c:02x}" for c in self.ink)

    @property
    def fill_hex(self) -> str:
        return "#" + "".join(f"{c:02x}" for c in self.fill)


# Dark inks on pale fills: each pair keeps a contrast of at least 4.5:1 in colour and when a
# greyscale printer or copier turns it grey (tests/test_chart_document.py measures both).
TONES = {
    "urgent": Tone((150, 0, 0), (253, 232, 232)),
    "contraindication": Tone((150, 60, 0), (255, 240, 222)),
    "precaution": Tone((40, 40, 40), (242, 242, 242)),
    "history": Tone((40, 40, 40), (255, 255, 255)),
    "logistics": Tone((40, 40, 40), (255, 255, 255)),
    "unassessed": Tone((40, 40, 40), (242, 242, 242)),
    "scores": Tone((0, 0, 0), (255, 255, 255)),
    "none": Tone((70, 70, 70), (255, 255, 255)),  # a kind with nothing found
}
MARK = Tone((150, 0, 0), (255, 255, 255))  # INCOMPLETE and AMENDED


def tone(kind: str, count: int | None) -> Tone:
    """The tone of a panel line: its kind's, or plain grey when nothing of that kind was found."""
    return TONES["none"] if count == 0 else TONES.get(kind, TONES["scores"])
