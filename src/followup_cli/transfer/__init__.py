"""Import and export of CSV files (read, validate, stage, write), driven by the field declarations."""
