"""People without accounts: a resident known by household, name and phone, who booked
by phone, came in at the door or answered on paper, and may join with an account later."""
