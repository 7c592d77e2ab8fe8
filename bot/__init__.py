"""supportbot: an after-sales support bot for makers of security cameras and night-vision gear."""

__version__ = "0.1.0"
