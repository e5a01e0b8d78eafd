"""Masking of personal data (PIPL): names, phone numbers (mobile and landline), account and card
numbers, identity document numbers, e-mail addresses.

Every rule of masking lives here, and is applied once, when data is written (complaintctl.personal):
the case row, its cycles and its events store the masked values, the full ones go into the
personal_data table, which `--reveal` reads and `db purge` erases without touching the chain.
Outputs, reports and exports read the stored values and mask nothing themselves.
"""
from __future__ import annotations

import functools
import re
import unicodedata

_DIGIT_RUN = re.compile(r"(?<![\d*])([+\uff0b]?\d[\d \-\u3000\uff0d]{9,40}[\dXx\uff38\uff58])(?![\d*])")
# Landlines without a mobile's length: (010)65123456, the same in full-width brackets, (010)6512-3456,
# and local 6512 3456 / 6512-3456.
_LANDLINE = re.compile(r"(?:[(\uff08]0\d{2,3}[)\uff09]\s?\d{3,4}[ -]?\d{4}|(?<![\d*.])\d{4}[ -]\d{4}(?![\d*]))")
_ID_NUMBER = re.compile(r"\d{17}[\dXx]")
_NON_DIGIT = re.compile(r"\D")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_phone(value: str | None) -> str | None:
    """138****5678: the first three and last four digits stay."""
    if not value:
        return value
    digits = value if value.isdigit() else _NON_DIGIT.sub("", value)
    if len(digits) < 8:
        return "*" * len(digits)
    prefix = "+" if value.startswith("+") else ""
    return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_stored_phone(value: str | None) -> str | None:
    """A phone as domain.clean_phone stores it masked: 138****5678, 010****5678, and a number's
    extension starred whole after it (010****5678-***)."""
    if value and value.count("-") == (1 if value.startswith("+") else 2):
        number, _, extension = value.rpartition("-")
        return f"{mask_phone(number)}-{'*' * len(extension)}"
    return mask_phone(value)


def mask_account(value: str | None) -> str | None:
    """622202******7890: the first six and last four digits stay."""
    if not value:
        return value
    digits = value if value.isdigit() else _NON_DIGIT.sub("", value)
    if len(digits) < 11:
        return "*" * len(digits)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_id_number(value: str | None) -> str | None:
    """110105********002X: an identity document number keeps its first six and last four characters,
    like an account number (a passport or permit number of ten or fewer characters is hidden whole)."""
    if not value:
        return value
    v = value.strip()
    if len(v) <= 10:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_email(value: str | None) -> str | None:
    if not value:
        return value
    return _EMAIL.sub(lambda m: m.group(1) + "***" + m.group(2), value)


def _mask_landline(match: re.Match) -> str:
    """Every digit but the last two hidden; brackets and separators kept so the shape still reads."""
    text = match.group(0)
    total = sum(c.isdigit() for c in text)
    seen, out = 0, []
    for c in text:
        if c.isdigit():
            seen += 1
            out.append(c if seen > total - 2 else "*")
        else:
            out.append(c)
    return "".join(out)


def _mask_run(match: re.Match) -> str:
    return _mask_digits(match.group(1))


def _mask_digits(run: str) -> str:
    if not run.isascii():  # full-width digits (a Chinese input method's) are masked as the digits they are
        run = unicodedata.normalize("NFKC", run)
    if run[-1] in "Xx":
        compact = run.replace(" ", "").replace("-", "")
        return mask_id_number(compact) if _ID_NUMBER.fullmatch(compact) else _mask_digits(run[:-1]) + run[-1]
    digits = re.sub(r"\D", "", run)
    if re.fullmatch(r"1[3-9]\d{9}", digits) or (run.startswith("+") and 8 <= len(digits) <= 15):
        return mask_phone(run)
    if re.fullmatch(r"0\d{9,11}", digits) and "-" in run:
        return mask_phone(run)
    if len(digits) == 18 and _ID_NUMBER.fullmatch(digits):
        return mask_id_number(digits)
    if len(digits) >= 12:  # a card or account number, or one mistyped with digits too many
        return mask_account(digits)
    return run


def mask_text(value: str | None) -> str | None:
    """Mask digit runs that look like phone or account numbers, and e-mail addresses, in free text."""
    if not value:
        return value
    if _DIGIT_RUN.search(value):
        value = _DIGIT_RUN.sub(_mask_run, value)
    if _LANDLINE.search(value):
        value = _LANDLINE.sub(_mask_landline, value)
    return mask_email(value) if "@" in value else value


def hide(value: str | None) -> str | None:
    """A personal value that is not valid, so cannot be masked by its kind (a phone number of eight
    digits, an account with a letter in it): every character but the last two starred (all of a
    value of six or fewer), so an error line or a rejects file shows which value it was, never
    the value."""
    if not value:
        return value
    keep = 2 if len(value) > 6 else 0
    return "*" * (len(value) - keep) + value[len(value) - keep:]


# What `db purge` leaves where a name or text was: never masked further.
ANONYMISED = "[anonymised]"


def mask_name(value: str | None) -> str | None:
    """A Chinese name of three or more characters keeps its first and last (the middle starred),
    any other part of a name its first character only: J*** S****."""
    if not value or value == ANONYMISED:
        return value

    def part(p: str) -> str:
        if len(p) >= 3 and not p.isascii():
            return p[0] + "*" * (len(p) - 2) + p[-1]
        return p[0] + "*" * (len(p) - 1)

    return " ".join(part(p) for p in value.split())


def mask_word(value: str | None) -> str | None:
    """A word typed where a command, a case, an option or a member of staff belongs, as an error
    line quotes it: read as free text (numbers and e-mail addresses masked), and masked as a name
    when it reads as one (Chinese characters, or several words: a customer's name typed in the
    wrong place); a reference, a code or a single Latin word stays as typed, so that a typo shows."""
    if not value:
        return value
    import unicodedata

    masked = mask_text(value)
    plain = unicodedata.normalize("NFKC", value)  # (a full-width reference from an input method is not a name)
    if " " in plain.strip() or any(_HAN.match(c) for c in plain):
        return mask_name(masked)
    return masked


def mask_choice(value: str | None, vocabulary) -> str | None:
    """A word typed where one of a fixed set of choices belongs (`vocabulary`: every name the
    choices go by), as an error line quotes it: its spaces as one space (an input method's
    full-width one, a tab), free text masked, and, when it reads as a name (_reads_as_name), each
    run of letters cut to its first: a caller's name given for --tier shows as its surname's
    character and stars, while a mistyped choice (a tier's Chinese name with one character wrong,
    `--status in progres`), a single Latin word (`urgnt`) and a date stay as typed, so that the
    typo shows."""
    if not value:
        return value
    masked = mask_text(" ".join(unicodedata.normalize("NFKC", value).split()))
    # A list of choices (--by tier,branch) is judged item by item, its commas kept.
    return "".join(part if i % 2 or not _reads_as_name(part, vocabulary) else _initials(part)
                   for i, part in enumerate(_LIST_SEP.split(masked)))


def _initials(text: str) -> str:
    """A name's letters starred but the first of each Latin word and the first Chinese character
    (a Chinese name typed with a space between its characters is one name: its first kept)."""
    first = True

    def star(m) -> str:
        nonlocal first
        run = m.group()
        keep = first or not _HAN.match(run[0])
        first = False
        return run[0] + "*" * (len(run) - 1) if keep else "*" * len(run)

    return _INITIAL.sub(star, text)


_LIST_SEP = re.compile("([,\uff0c\u3001])")  # (the comma, the full-width comma, the enumeration comma)
# The characters of a date or a time written in Chinese (year, month, day, hour, minute, second, number).
_DATE_HAN = set("\u5e74\u6708\u65e5\u65f6\u70b9\u5206\u79d2\u53f7")


def _reads_as_name(text: str, vocabulary) -> bool:
    """Whether a typed value (one item of a list) reads as a name: Chinese characters (but those of
    a date written in Chinese) or several words, not every one of them (but Latin ones under three
    letters) a near miss of a choice (_near_choice)."""
    plain = text.strip()
    han = {c for c in plain if _HAN.match(c)}
    if not han - _DATE_HAN and (han or len(plain.split()) < 2):
        return False
    judged = [w for w in plain.casefold().split() if _HAN.search(w) or len(w) >= 3]
    return not judged or not all(_near_choice(w, vocabulary) for w in judged)


# A run of letters (Chinese characters or Latin ones) of which mask_choice keeps the first.
_INITIAL = re.compile(r"[^\W\d_]+")


def _near_choice(word: str, vocabulary) -> bool:
    """Whether `word` (folded) is a choice's name, or a word of one, mistyped: Chinese as long as a
    Chinese name or one longer, with most of its characters (difflib's ratio 0.6: two of three,
    three of four); a Latin word close to a word of three or more letters of a name (0.75)."""
    import difflib

    names = {unicodedata.normalize("NFKC", str(n)).casefold().replace("_", " ").replace("-", " ") for n in vocabulary}
    if _HAN.search(word):
        return any(_HAN.search(n) and len(word) <= len(n) + 1 and difflib.SequenceMatcher(None, word, n).ratio() >= 0.6
                   for n in names)
    known = [w for n in names for w in n.split() if len(w) >= 3]
    return bool(difflib.get_close_matches(word, known, n=1, cutoff=0.75))


def mask_typed(text: str) -> str:
    """Typed words as an error quotes them back (Click's usage errors): the whole read as free text
    (a number typed with spaces in it is one number), then each word masked as a name when it reads
    as one (mask_word), the quotes and brackets around it kept; a reference, a date or an option
    stays as it is."""
    words = []
    for word in mask_text(text).split(" "):
        core = word.strip("'\".,():")
        if core:
            at = word.find(core)
            word = word[:at] + mask_word(core) + word[at + len(core):]
        words.append(word)
    return " ".join(words)


# A Chinese character (the CJK ideographs and their extensions): a word of them typed where a case,
# a member of staff or a command belongs reads as a name; an accented Latin word (lïst, José) as a typo.
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def mask_names_in(value: str | None, names) -> str | None:
    """Free text with each of `names` (the case's customer and agent, say) masked wherever it occurs,
    also when written otherwise than recorded: with spaces between its characters or parts, or
    without the space between them, and a Latin name in any case (john smith, JohnSmith).
    Every form is replaced by the recorded name's mask, so two forms never show different letters."""
    if not value:
        return value
    for name in names:
        if name and name != ANONYMISED and len(name) >= 2:
            if name in value:
                value = value.replace(name, mask_name(name))
            # Another form is possible only if every letter of the name is in the text (cheap to
            # see, and most texts fail it): only then is the pattern built and run.
            folded = value.casefold()
            if all(c in folded for c in name.casefold() if not c.isspace()):
                value = _name_pattern(name).sub(mask_name(name), value)
    return value


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern:
    letters = [c for c in name if not c.isspace()]
    body = r"\s*".join(re.escape(c) for c in letters)
    # A Latin name only as whole words (Li is not the li of "client"); a Chinese name anywhere.
    return re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])" if name.isascii() else body, re.IGNORECASE)


# The case's personal columns: stored masked, kept in full in personal_data (complaintctl.personal;
# here, where no SQLAlchemy is, for complaintctl/detail.py's case_json).
FIELDS = ("customer", "phone", "email", "account", "id_number", "agent_name", "description", "request",
          "resolution", "decision_facts", "decision_basis")
# personal_data's field of an event's own full text (its note, reply or reason).
DETAIL = "detail"
# Which masking each personal field gets: the one map every write uses (complaintctl.personal).
MASKERS = {"customer": mask_name, "agent_name": mask_name, "phone": mask_stored_phone, "email": mask_email, "account": mask_account, "description": mask_text,
           "resolution": mask_text, "id_number": mask_id_number, "request": mask_text, "decision_facts": mask_text,
           "decision_basis": mask_text}


def revealed(stored: dict, full: dict[str, str]) -> dict:
    """A case's personal columns in full: the kept value where the stored (masked) one is set."""
    return {f: (full.get(f, stored.get(f)) if stored.get(f) and stored.get(f) != ANONYMISED else stored.get(f))
            for f in FIELDS}

# How a personal value an error line or an import's rejects file quotes is shown, by field: names as
# stored, identifiers hidden (a value that failed its check has no valid form to mask).
QUOTED = {"customer": mask_name, "agent_name": mask_name, "agent": mask_name, "phone": hide, "email": hide,
          "account": hide, "id_number": hide, "agent_authority": hide,
          # typed where a case or a member of staff belongs: a name there may be the caller's
          "case": mask_word, "staff": mask_word}

