"""Storage: the SQLite connection, transactions and migrations."""

from followup_cli.store.connection import (
    default_db_path,
    lock_customer,
    lock_customers_in,
    open_database,
    read_transaction,
    write_transaction,
    writes_beside_others,
)
from followup_cli.store.files import backup_to
from followup_cli.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION",
    "backup_to",
    "default_db_path",
    "lock_customer",
    "lock_customers_in",
    "open_database",
    "read_transaction",
    "write_transaction",
    "writes_beside_others",
]
