"""Feedback on programme sessions from those who attended them."""
