"""The rules engine: a registry of rules, a context, and the one place hits become findings."""
