"""zones.periods finds every change of a zone's offset to the second, including two changes
within the six hours its scan steps by."""
import datetime as dt

from complaintctl import zones

UTC = dt.timezone.utc
FIRST = dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # +01:00 from here
SECOND = dt.datetime(2026, 3, 29, 3, 30, 15, tzinfo=UTC)  # +02:00 from here, 2 h 30 min 15 s later


class TwoQuickChanges(dt.tzinfo):
    """+00:00, then +01:00 at FIRST, then +02:00 at SECOND (a made-up zone). A moment converted to
    it carries its fixed offset, so that its utcoffset is exact."""

    def utcoffset(self, moment):
        raise NotImplementedError  # only conversions from UTC are asked of it

    def fromutc(self, moment):
        utc = moment.replace(tzinfo=UTC)
        offset = dt.timedelta(hours=0 if utc < FIRST else 1 if utc < SECOND else 2)
        return (moment + offset).replace(tzinfo=dt.timezone(offset))


def test_two_changes_within_six_hours_are_each_found_at_their_second():
    got = [(p["starts_at"], p["offset_seconds"], p["suffix"]) for p in zones.periods(TwoQuickChanges(), 2026, 2026)]
    assert got[1:] == [(FIRST, 3600, "+01:00"), (SECOND, 7200, "+02:00")]
    assert got[0][1:] == (0, "+00:00")
