"""Complaints: tickets and their SLA, escalation up the ladders, early warning, notices."""
