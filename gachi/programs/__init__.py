"""Programmes and their sessions: schedules, bookings, waiting lists, rosters, attendance,
feedback and calendar feeds."""
