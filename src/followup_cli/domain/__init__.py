"""The domain: one package per concept, each owning its fields, its SQL and its rules. Never imports typer or rich."""
