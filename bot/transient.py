"""Failures worth retrying the whole command for (a busy database, a serialization conflict)."""


class TransientStorageError(Exception):
    pass
