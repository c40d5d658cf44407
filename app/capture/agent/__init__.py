"""The station agent (kcap/1): its own SQLite, sessions, outbox, console."""
