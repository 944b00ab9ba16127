"""Bookings of programme sessions: online, by phone, walk-ins; the waiting list, check-in."""
