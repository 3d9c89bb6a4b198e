"""Callbacks: the planning rules, the changes made by hand, and the due list."""
