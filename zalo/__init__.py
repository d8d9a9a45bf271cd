"""Zalo Official Account plumbing shared by the bot's channel (Python 3.10) and the backend (3.11).

Standard library and `requests` only, so both environments import the same code.
"""
