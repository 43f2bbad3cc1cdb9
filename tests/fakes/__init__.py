"""Local fakes of external services, for tests. They only ever listen on 127.0.0.1."""
