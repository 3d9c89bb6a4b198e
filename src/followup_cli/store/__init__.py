"""Storage: the SQLite connection, transactions and migrations."""

from followup_cli.store.connection import (
    SCHEMA_VERSION,
    backup_to,
    default_db_path,
    open_database,
    read_transaction,
    write_transaction,
)

__all__ = [
    "SCHEMA_VERSION",
    "backup_to",
    "default_db_path",
    "open_database",
    "read_transaction",
    "write_transaction",
]
