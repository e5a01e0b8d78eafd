"""complaintctl: the after-sales complaint register of a bank branch, as a library."""

__version__ = "0.1.0"
