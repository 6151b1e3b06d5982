"""Donations and deliveries over time: the SQLite ledger, plan versions and re-planning."""
