"""Private, revocable links to iCalendar feeds of bookings, shifts and public sessions."""
