"""Output for people and programs: tables that fit the terminal, the one csv writer, json. The only code that imports rich."""
