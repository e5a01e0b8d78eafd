"""Field validation and the state machine's edges, exactly: what is accepted, what each refusal says
(the line a user reads), and the boundaries. Written against the mutants mutmut found alive
(README: Mutation testing)."""
import pytest

from complaintctl import domain as d
from complaintctl.phones import clean_phone
from complaintctl import labels
from complaintctl.errors import IllegalMove, InvalidValue


def refusal(check, *args, **kw) -> str:
    with pytest.raises(InvalidValue) as exc:
        check(*args, **kw)
    return labels.error_text(exc.value)


def test_phone_spaces_are_dropped_and_a_refusal_says_which_forms_are_accepted():
    assert clean_phone(" 138 1234 5678 ") == "13812345678"
    assert clean_phone("010-12345678") == "010-12345678"
    assert clean_phone("+852 91234567") == "+85291234567"
    assert refusal(clean_phone, "12345") == (
        "invalid phone '*****': expected a mainland mobile (13812345678 or 138-1234-5678), a landline with its "
        "area code (010-62345678 or (010) 6234 5678, an extension after it: 010-62345678-801 or 转801) or + and a "
        "country code (+852 9123 4567)")


@pytest.mark.parametrize("typed, stored, masked", [
    ("010-62345678-801", "010-62345678-801", "010****5678-***"),
    ("010-62345678 转 801", "010-62345678-801", "010****5678-***"),
    ("（010）6234 5678 分机 801", "010-62345678-801", "010****5678-***"),
    ("(010) 6234 5678 ext. 801", "010-62345678-801", "010****5678-***"),
    ("0755-12345678x12", "0755-12345678-12", "075*****5678-**"),
    ("+852 2123 4567 #801", "+85221234567-801", "+852****4567-***"),
    ("０１０－６２３４５６７８转８０１", "010-62345678-801", "010****5678-***"),
    # A whole that is a number is one: 021-1234567-8 is Shanghai's 021-12345678, not an extension 8.
    ("021-1234567-8", "021-12345678", "021****5678"),
    ("010-6234-5678", "010-62345678", "010****5678"),
])
def test_a_landline_keeps_its_extension_and_masks_it_whole(typed, stored, masked):
    from complaintctl.masking import MASKERS

    assert clean_phone(typed) == stored
    assert MASKERS["phone"](stored) == masked


@pytest.mark.parametrize("typed", ["138-1234-5678-801", "13812345678转801", "010-62345678-1234567", "转801",
                                   "010-62345678 ext"])
def test_a_mobile_has_no_extension_and_an_extension_is_one_to_six_digits(typed):
    assert refusal(clean_phone, typed).startswith("invalid phone '")


def test_account_spaces_are_dropped_and_a_refusal_says_12_to_19_digits():
    assert d.clean_account("6222 0212 3456 7890") == "6222021234567890"
    assert d.clean_account("1" * 12) == "1" * 12 and d.clean_account("1" * 19) == "1" * 19
    assert refusal(d.clean_account, "1" * 11) == ("invalid account '*********11': expected 12 to 19 digits (spaces or "
                                                  "hyphens between them are fine)")
    # A card number with a digit too many is still masked in the error line.
    assert refusal(d.clean_account, "1" * 20) == ("invalid account '******************11': expected 12 to 19 digits "
                                                  "(spaces or hyphens between them are fine)")


def test_email_is_stripped_and_at_most_254_characters():
    assert d.clean_email("  zhang@example.com ") == "zhang@example.com"
    longest = "a" * 242 + "@example.com"
    assert len(longest) == 254 and d.clean_email(longest) == longest
    assert "expected an address such as name@example.com" in refusal(d.clean_email, "a" + longest)
    assert refusal(d.clean_email, "zhang@example") == (
        "invalid email '***********le': expected an address such as name@example.com")
    assert refusal(d.clean_email, "zhang wei@example.com").startswith("invalid email ")


def test_text_is_stripped_and_empty_text_is_refused_only_when_required():
    assert d.clean_text("description", "  理财产品  ") == "理财产品"
    assert refusal(d.clean_text, "description", None) == "invalid description '': expected non-empty text"
    assert refusal(d.clean_text, "description", "   ") == "invalid description '   ': expected non-empty text"
    assert d.clean_text("note", None, required=False) is None
    assert d.clean_text("note", " \n ", required=False) is None


def test_text_longer_than_the_limit_is_refused_with_its_length():
    assert d.clean_text("note", "x" * 24, limit=24) == "x" * 24
    assert refusal(d.clean_text, "note", "x" * 25, limit=24) == (  # the value is shown cut to 20 characters
        "invalid note 'xxxxxxxxxxxxxxxxxxxx...': expected at most 24 characters (got 25)")
    assert d.clean_text("note", "x" * d.MAX_TEXT) == "x" * d.MAX_TEXT
    assert f"at most {d.MAX_TEXT} characters (got {d.MAX_TEXT + 1})" in refusal(d.clean_text, "note", "x" * (d.MAX_TEXT + 1))


def test_text_with_control_characters_is_refused_but_line_breaks_and_tabs_are_kept():
    assert d.clean_text("note", "第一行\n第二行\t完") == "第一行\n第二行\t完"
    # Free text is never quoted back (no pattern masks the name or the address in it): the
    # character that is wrong is named instead.
    assert refusal(d.clean_text, "note", "bell\x07") == "invalid note '…U+0007…': expected text without control characters or bidirectional overrides"
    assert "control characters" in refusal(d.clean_text, "note", "x\x1b[31m")
    assert refusal(d.clean_text, "note", "客户张三住北京市朝阳区一号\x07") == (
        "invalid note '…U+0007…': expected text without control characters or bidirectional overrides")
    assert refusal(d.clean_name, "branch", "BJ\x07") == "invalid branch 'BJ\\\\x07': expected text without control characters or bidirectional overrides"
    assert "control characters" in refusal(d.clean_text, "note", "del\x7f")
    assert "bidirectional overrides" in refusal(d.clean_text, "note", "abc\u202egnp.exe")  # right-to-left override
    assert "control characters" in refusal(d.clean_text, "note", "c1\x9b31m")  # a C1 control (CSI)


def test_a_name_is_one_line_of_at_most_200_characters():
    assert d.clean_name("customer", " 张三 ") == "张三"
    assert d.clean_name("customer", None, required=False) is None
    assert d.clean_name("customer", "张" * 200) == "张" * 200
    assert "at most 200 characters (got 201)" in refusal(d.clean_name, "customer", "张" * 201)
    for breaker in ("\n", "\t", "\r"):
        assert refusal(d.clean_name, "customer", f"张{breaker}三").endswith("expected a single line")
    assert refusal(d.clean_name, "customer", "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸\n子") == (  # shown cut to 20
        "invalid customer '一******************癸': expected a single line")  # a name quoted masked, as stored
    assert refusal(d.clean_name, "customer", None) == "invalid customer '': expected non-empty text"


def test_case_keys_are_references_in_any_case_or_ids_both_backends_keep():
    assert d.parse_case_key("C-2026-000123") == 123
    assert d.parse_case_key(" c-2026-7 ") == 7
    assert d.parse_case_key(" 42 ") == 42
    assert d.parse_case_key(str(2**31 - 1)) == 2**31 - 1  # PostgreSQL's largest integer
    expected = "expected a reference such as C-2026-000123 or a numeric id"
    # Eleven digits are a mobile number, no id: refused, masked (PostgreSQL failed on the integer).
    assert refusal(d.parse_case_key, "13812345678") == f"invalid case '138****5678': {expected}"
    assert refusal(d.parse_case_key, str(2**31)).startswith("invalid case")
    assert refusal(d.parse_case_key, "C-2026-13812345678").startswith("invalid case")  # no id either
    # Twelve digits could be a card number pasted by mistake: the error line masks it like one.
    assert refusal(d.parse_case_key, "9" * 12) == f"invalid case '999999**9999': {expected}"
    assert refusal(d.parse_case_key, "abc") == f"invalid case 'abc': {expected}"
    assert refusal(d.parse_case_key, "C-26-1") == f"invalid case 'C-26-1': {expected}"


def test_escalation_goes_one_tier_up_and_stops_at_urgent():
    assert d.next_tier(d.Tier.GENERAL) is d.Tier.IMPORTANT
    assert d.next_tier(d.Tier.IMPORTANT) is d.Tier.URGENT
    assert d.next_tier(d.Tier.URGENT) is None


def test_resume_without_a_known_earlier_status_goes_to_in_progress():
    assert d.next_status(d.Status.PAUSED, d.Action.RESUME) is d.Status.IN_PROGRESS
    # an earlier status only matters to resume
    assert d.next_status(d.Status.RECEIVED, d.Action.ASSIGN, d.Status.IN_PROGRESS) is d.Status.ASSIGNED


def test_replay_of_nothing_is_nothing_and_moves_before_the_log_are_ignored():
    assert d.replay([]) is None
    assert d.replay([("assign", {}), ("log", {"status": "received"}), ("assign", {})]) is d.Status.ASSIGNED


def test_replay_of_an_imported_paused_case_resumes_to_in_progress():
    assert d.replay([("import", {"status": "paused"}), ("resume", {})]) is d.Status.IN_PROGRESS


def test_replay_ignores_events_that_do_not_move_a_case():
    quiet = [a.value for a in d.Action if a not in d.TRANSITIONS and a not in (d.Action.LOG, d.Action.IMPORT)]
    assert quiet, "expected actions outside the state machine (reveal, purge, ...)"
    assert d.replay([("log", {"status": "received"}), *[(a, {}) for a in quiet], ("assign", {})]) is d.Status.ASSIGNED


def test_replay_refuses_a_move_the_state_machine_forbids_after_a_quiet_event():
    with pytest.raises(IllegalMove):
        d.replay([("log", {"status": "closed"}), ("resolve", {})])


def test_a_time_is_read_as_a_counter_types_it():
    """'2026-10-09 9:30', '2026/10/9' and full-width digits were refused; ISO 8601 stays as it was,
    and a day that does not exist, or a day-first date, is still refused. A date alone, however
    typed, is a whole day as a window's end."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from complaintctl.context import is_date, read_time

    tz = ZoneInfo("Asia/Shanghai")
    want = dt.datetime(2026, 10, 9, 9, 30, tzinfo=tz).astimezone(dt.timezone.utc)
    for text in ("2026-10-09T09:30", "2026-10-09 9:30", "2026/10/9 9:30", "2026.10.09 09:30", "２０２６/１０/９ ９：３０"):
        assert read_time(text, tz, "--at") == want, text
    assert read_time("2026/10/9", tz, "--at") == dt.datetime(2026, 10, 9, tzinfo=tz).astimezone(dt.timezone.utc)
    for text in ("2026/2/30", "09/10/2026", "2026/10/9 25:00", "yesterday"):
        assert refusal(read_time, text, tz, "--at").startswith(f"invalid --at '{text}'"), text
    assert is_date("2026/10/9") and is_date("2026-10-09") and not is_date("2026/10/9 9:30")
