"""The audit rules of DESIGN §2, one module per area, each a vectorised function registered with
its catalogue id, severity, statutory basis and the columns it needs."""
