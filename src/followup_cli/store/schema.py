"""The schema version this release writes: the number of migrations in store.migrations
(a test holds the two equal). Kept apart so that opening a current database never
imports the migrations (and sqlite-utils with them)."""

SCHEMA_VERSION = 18
