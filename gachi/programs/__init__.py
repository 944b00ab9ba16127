"""Programmes and their sessions, as sub-areas with the same files each (models,
operations, queries, forms, views):

- `programs/`: the programmes themselves, their schedule and one-off events;
- `programs/sessions/`: a session's page, its places and cancelling it;
- `programs/bookings/`: bookings, the waiting list, check-in, reminders (jobs);
- `programs/rosters/`: instructors and volunteers, volunteer hours;
- `programs/feedback/`: feedback from those who attended, a programme's summary;
- `programs/calendar/`: private iCalendar feed links.
"""
