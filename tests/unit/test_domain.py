"""State machine, validation, labels and masking: pure rules."""
import pytest

from complaintctl import domain as d
from complaintctl.phones import clean_phone
from complaintctl import labels
from complaintctl.errors import IllegalMove, InvalidValue
from complaintctl.masking import mask_account, mask_phone, mask_text


def test_illegal_move_names_the_state_and_the_moves_allowed():
    with pytest.raises(IllegalMove) as exc:
        d.next_status(d.Status.CLOSED, d.Action.RESOLVE)
    assert labels.error_text(exc.value) == "cannot resolve a case that is closed; allowed from closed: reopen, review"


def test_resume_returns_to_the_status_before_the_pause():
    assert d.next_status(d.Status.PAUSED, d.Action.RESUME, d.Status.ASSIGNED) is d.Status.ASSIGNED


def test_replay_rebuilds_the_status_from_events():
    events = [("log", {"status": "received"}), ("assign", {}), ("pause", {}), ("resume", {}),
              ("resolve", {}), ("reopen", {}), ("resolve", {}), ("close", {})]
    assert d.replay(events) is d.Status.CLOSED
    assert d.replay(events[:4]) is d.Status.ASSIGNED


def test_replay_refuses_an_impossible_history():
    with pytest.raises(IllegalMove):
        d.replay([("log", {"status": "received"}), ("close", {})])


@pytest.mark.parametrize("role, tier, ok", [
    (d.Role.STAFF, d.Tier.GENERAL, True), (d.Role.STAFF, d.Tier.IMPORTANT, False),
    (d.Role.MANAGER, d.Tier.IMPORTANT, True), (d.Role.MANAGER, d.Tier.URGENT, False),
    (d.Role.EXECUTIVE, d.Tier.URGENT, True),
])
def test_handler_levels_follow_the_tier(role, tier, ok):
    assert d.can_handle(role, tier) is ok


@pytest.mark.parametrize("phone", ["13812345678", "010-12345678", "0755-1234567", "+85291234567"])
def test_accepted_phone_numbers(phone):
    assert clean_phone(phone) == phone


@pytest.mark.parametrize("written, stored", [
    ("138-1234-5678", "13812345678"), ("138 1234 5678", "13812345678"), ("+86 138 1234 5678", "13812345678"),
    ("+86-138-1234-5678", "13812345678"), ("0086 13812345678", "13812345678"), ("１３８１２３４５６７８", "13812345678"),
    ("(010) 6234 5678", "010-62345678"), ("（010）62345678", "010-62345678"), ("01062345678", "010-62345678"),
    ("010 6234-5678", "010-62345678"), ("+86 10 6234 5678", "010-62345678"), ("(0755) 8123 4567", "0755-81234567"),
    ("021.6234.5678", "021-62345678"), ("+852 9123 4567", "+85291234567"), ("+1 (212) 555-0100", "+12125550100"),
])
def test_common_written_forms_of_a_phone_are_accepted_and_normalised(written, stored):
    assert clean_phone(written) == stored


@pytest.mark.parametrize("phone", ["12345", "1381234567", "abc", "23812345678", "+", "+86 12", "010-123",
                                   "138-1234-567", "+0123456789", "13812345678x"])
def test_rejected_phone_numbers(phone):
    with pytest.raises(InvalidValue) as exc:
        clean_phone(phone)
    assert labels.error_text(exc.value).startswith("invalid phone")


def test_account_is_12_to_19_digits():
    assert d.clean_account("622202123456") == "622202123456"
    for bad in ("12345678901", "12345678901234567890", "6222abc1234567"):
        with pytest.raises(InvalidValue) as exc:
            d.clean_account(bad)
        assert "12 to 19 digits" in labels.error_text(exc.value)


@pytest.mark.parametrize("text, key", [("一般", "general"), (" Urgent ", "urgent"), ("重要投诉", "important"),
                                       ("GENERAL", "general")])
def test_tiers_parse_in_either_language(text, key):
    assert labels.parse(d.Tier, text, "tier").value == key


@pytest.mark.parametrize("text, key", [("热线", "hotline"), ("柜面", "branch_counter"), ("营业网点", "branch_counter"),
                                       ("监管转办", "regulator_referral"), ("Online Banking", "online_banking")])
def test_channels_parse_in_either_language(text, key):
    assert labels.parse(d.Channel, text, "channel").value == key


def test_unknown_values_get_the_same_error_in_either_language():
    for bad in ("微信", "wechat"):
        with pytest.raises(InvalidValue) as exc:
            labels.parse(d.Channel, bad, "channel")
        assert "expected one of hotline (客服热线)" in labels.error_text(exc.value)


def test_every_choice_has_both_labels():
    for enum, entries in labels.CHOICES.items():
        assert set(entries) == {m.value for m in enum}, enum
        for en, zh, _ in entries.values():
            assert en and zh


def test_masking_of_phones_accounts_and_free_text():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_account("6222021234567890") == "622202******7890"
    assert mask_text("客户电话13812345678，卡号6222021234567890，金额5000元") == \
        "客户电话138****5678，卡号622202******7890，金额5000元"


def test_references_are_derived_from_the_row_id():
    assert d.format_reference(2026, 123) == "C-2026-000123"
    assert d.parse_case_key("c-2026-000123") == 123
    assert d.parse_case_key("123") == 123
    with pytest.raises(InvalidValue):
        d.parse_case_key("'; DROP TABLE cases; --")
