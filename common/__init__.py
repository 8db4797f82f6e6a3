"""Small helpers every layer may use, with no domain knowledge and no imports from apps; and
the one table they need, the outbox every e-mail goes through (common.outbox)."""
