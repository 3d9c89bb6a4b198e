"""Reports for managers and cron: each returns plain data; the CLI renders it."""
