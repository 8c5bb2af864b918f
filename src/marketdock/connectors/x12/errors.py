"""X12 errors that say where: segment index, segment id, element position.

``segment_index`` is 0-based over the whole document (the ISA is 0; for a bare
ST..SE file the first ST is 0). ``set_position`` is the 1-based position inside a
transaction set (ST = 1), which is what a 997 reports in AK3-02. ``element`` is the
1-based element position (``N9`` element 1 is N901). ``code`` is the X12 data element
syntax error code (AK4-03: 1 mandatory missing, 4 too short, 5 too long, 6 invalid
character, 8 invalid date, 9 invalid time) or, when no element is named, the segment
syntax error code (AK3-04).
"""

from __future__ import annotations

from marketdock.errors import ParseError, ValidationError


class X12ParseError(ParseError):
    """An X12 document cannot be read."""

    def __init__(
        self,
        reason: str,
        *,
        segment_index: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        set_position: int | None = None,
        code: str | None = None,
        component: int | None = None,
        bad_value: str | None = None,
    ) -> None:
        self.reason = reason
        self.segment_index = segment_index
        self.segment_id = segment_id
        self.element = element
        self.set_position = set_position
        self.code = code
        self.component = component
        self.bad_value = bad_value
        super().__init__(
            f"{reason} ({self.location})" if self.location else reason,
            segment_index=segment_index,
            segment_id=segment_id,
            element=element,
        )

    @property
    def location(self) -> str:
        """Human-readable position, e.g. ``segment 16 (SE), element SE01``."""
        parts: list[str] = []
        if self.segment_index is not None:
            tag = f" ({self.segment_id})" if self.segment_id else ""
            parts.append(f"segment {self.segment_index}{tag}")
        elif self.segment_id:
            parts.append(f"segment {self.segment_id}")
        if self.set_position is not None:
            parts.append(f"position {self.set_position} in transaction set")
        if self.element is not None:
            parts.append(f"element {self.segment_id or ''}{self.element:02d}")
        return ", ".join(parts)


class X12WriteError(ValidationError):
    """A value cannot be written to X12 (delimiter inside a value, bad length, bad config)."""
