"""Every illegal move, from every state, exits 2 with the state and the moves allowed; nothing written."""
import pytest

from complaintctl import domain as d
from complaintctl import labels

SETUP = {
    "received": [],
    "assigned": [["assign", "{ref}", "--to", "sunli", "--at", "2026-03-02T11:00"]],
    "in_progress": [["respond", "{ref}", "--text", "x", "--at", "2026-03-02T11:00"]],
    "paused": [["pause", "{ref}", "--reason", "other", "--at", "2026-03-02T11:00"]],
    "resolved": [["resolve", "{ref}", "--resolution", "x", "--at", "2026-03-02T11:00"]],
    "closed": [["resolve", "{ref}", "--resolution", "x", "--at", "2026-03-02T11:00"],
               ["close", "{ref}", "--satisfaction", "satisfied", "--at", "2026-03-02T12:00"]],
    "reopened": [["resolve", "{ref}", "--resolution", "x", "--at", "2026-03-02T11:00"],
                 ["reopen", "{ref}", "--reason", "x", "--at", "2026-03-02T12:00"]],
    "withdrawn": [["withdraw", "{ref}", "--at", "2026-03-02T11:00"]],
    "under_review": [["resolve", "{ref}", "--resolution", "x", "--at", "2026-03-02T11:00"],
                     ["review", "{ref}", "--requested-at", "2026-03-03T10:00", "--reviewer", "sunli"]],
    "reviewed": [["resolve", "{ref}", "--resolution", "x", "--at", "2026-03-02T11:00"],
                 ["review", "{ref}", "--requested-at", "2026-03-03T10:00", "--reviewer", "sunli"],
                 ["--as", "sunli", "review-decide", "{ref}", "--outcome", "upheld", "--text", "x", "--at", "2026-03-04T10:00"]],
}
COMMAND = {
    "assign": ["assign", "{ref}", "--to", "sunli"],
    "respond": ["respond", "{ref}", "--text", "x"],
    "note": ["note", "{ref}", "x"],
    "pause": ["pause", "{ref}", "--reason", "other"],
    "resume": ["resume", "{ref}"],
    "escalate": ["escalate", "{ref}", "--to", "urgent", "--reason", "x"],
    "extend": ["--as", "sunli", "extend", "{ref}", "--to", "30", "--reason", "x",
               "--customer-told-at", "2026-03-02T12:00"],
    "resolve": ["resolve", "{ref}", "--resolution", "x"],
    "reopen": ["reopen", "{ref}", "--reason", "x"],
    "close": ["close", "{ref}", "--satisfaction", "satisfied"],
    "withdraw": ["withdraw", "{ref}"],
    "repeat": ["log", "--repeat-of", "{ref}", "--channel", "hotline", "--description", "再次来电"],
    "review": ["review", "{ref}", "--requested-at", "2026-03-03T10:00", "--reviewer", "sunli"],
    "review_decide": ["--as", "sunli", "review-decide", "{ref}", "--outcome", "upheld", "--text", "x"],
}
ILLEGAL = [(status, action) for status in SETUP for action in COMMAND
           if d.Status(status) not in d.TRANSITIONS[d.Action(action)]]


def test_the_table_covers_every_status_and_command():
    assert set(SETUP) == {s.value for s in d.Status}
    assert set(COMMAND) == {a.value for a in d.TRANSITIONS}
    assert len(ILLEGAL) > 20


@pytest.mark.parametrize("status", list(SETUP))
def test_an_illegal_move_is_refused(cli, status):
    """One case brought to the status, then every command the status does not allow, each
    refused with the status and the moves it allows, writing nothing.
    (One case a status, not one a pair: the refusals write nothing, so they cannot disturb
    each other, and the suite builds 10 cases a backend instead of 134.)"""
    cli("staff", "add", "sunli", "--role", "executive")
    ref = cli.log()
    for step in SETUP[status]:
        cli(*[a.format(ref=ref) for a in step])
    assert cli.json("show", ref, "--json")["case"]["status"] == status
    allowed = ", ".join(labels.command_name(a) for a in d.allowed_actions(d.Status(status))) or "none"
    shown = status.replace("_", " ")  # a state reads as words, never as its raw key
    refused = [action for s, action in ILLEGAL if s == status]
    assert refused
    wrong = {}
    for action in refused:
        err = cli.fails(*[a.format(ref=ref) for a in COMMAND[action]])
        if f"cannot {labels.action_verb(action)} a case that is {shown}; allowed from {shown}: {allowed}" not in err:
            wrong[action] = err
    assert not wrong, wrong  # (cli.fails checks each left the database as it was)
