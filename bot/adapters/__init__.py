"""Transports in front of the engine: Telegram, the console chat and the batch interface."""
