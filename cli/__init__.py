"""The Typer front end of complaintctl (installed as complaintctl_cli)."""
