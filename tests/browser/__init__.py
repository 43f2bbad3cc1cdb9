"""Real-browser tests of the web shell (Debian Chromium driven by Playwright)."""
