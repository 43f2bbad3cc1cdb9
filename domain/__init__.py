"""SMC's write side: aggregates, events and application services. No I/O happens here."""
