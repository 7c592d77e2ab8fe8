"""The bottom layer: plain data every other layer shares (messages, errors, text helpers, the clock)."""
