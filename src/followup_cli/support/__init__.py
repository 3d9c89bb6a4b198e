"""Support: configuration (TOML and the shipped defaults), dates, working days, the interface language, errors."""
