"""Staff: who calls, visits, owns accounts and receives escalations; who takes a piece of work."""
