"""Shell completion of case references, staff names and choices, read from the database."""
from __future__ import annotations


def _state(ctx):
    from .state import AppState

    root = ctx.find_root()
    params = root.params or {}
    return AppState(db=params.get("db"), config_path=params.get("config"))


def case_references(ctx, incomplete: str) -> list[str]:
    try:
        from complaintctl import services

        st = _state(ctx)
        return services.case_references(st.uow(write=False), incomplete or "")
    except Exception:
        return []  # completion must never break the shell


def staff_names(ctx, incomplete: str) -> list[str]:
    try:
        from complaintctl import services

        st = _state(ctx)
        return services.staff_names(st.uow(write=False), incomplete or "")
    except Exception:
        return []


def choices_for(field: str):
    """A completer for one choice field: English keys and Chinese names."""

    def complete(ctx, incomplete: str) -> list[str]:
        from complaintctl import labels

        enum = labels.FIELDS[field]
        out = []
        for key, (_en, zh, _aliases) in labels.CHOICES[enum].items():
            for name in (key, zh):
                if name.startswith(incomplete or ""):
                    out.append(name)
        return out

    return complete
