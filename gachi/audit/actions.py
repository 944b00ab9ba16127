"""What each audit action means, in words, for the log page and its file.

An action written by code but missing here is shown by its code (`label_of`), so the page
never hides an entry; tests/audit check that every action the code writes has a label.
"""

from flask_babel import lazy_gettext as _l

# Reads of other people's personal data (gachi.core.audit.personal_data_shown).
VIEW_LABELS = {
    "personal_data.view": _l("Opened an account page (full phone and e-mail)"),
    "accounts.view": _l("Opened the account list"),
    "households.view": _l("Opened the household list"),
    "residents.view": _l("Opened the list of residents who forgot their password"),
    "codes.print": _l("Printed the invitation slips"),
    "session_people.view": _l("Opened a session's bookings and roster"),
    "booking.view": _l("Opened someone's booking"),
    "people.view": _l("Opened the list of people without an account"),
    "person_data.download": _l("Downloaded the data of a person without an account"),
    "feedback.view": _l("Opened a programme's feedback"),
    "volunteer_hours.view": _l("Opened the volunteer hours"),
    "volunteer_hours.download": _l("Downloaded every volunteer's hours"),
    "volunteer_statement.print": _l("Printed a volunteer's statement of hours"),
    "workshop_attendance.view": _l("Opened a workshop's check-in list"),
    "audit_log.view": _l("Opened the audit log"),
    "audit_log.export": _l("Downloaded the audit log"),
}

CHANGE_LABELS = {
    "account.create": _l("Made an account"),
    "account.update": _l("Changed an account"),
    "account.join": _l("Joined with a code"),
    "account.deleted": _l("Deleted their own account"),
    "account.password_change": _l("Changed their password"),
    "account.password_reset": _l("Reset a password"),
    "account.reset_code_issue": _l("Made a one-time code for a new password"),
    "account.password_reset_by_code": _l("Chose a new password with a code"),
    "account.password_reset_by_email": _l("Chose a new password with an e-mailed link"),
    "account.recovery_codes_renewed": _l("Made new recovery codes"),
    "account.two_factor_on": _l("Turned on two-factor sign-in"),
    "account.two_factor_off": _l("Turned off two-factor sign-in"),
    "account.two_factor_reset": _l("Reset someone's two-factor sign-in"),
    "ballot.open": _l("Opened a ballot"),
    "ballot.close": _l("Closed a ballot"),
    "ballot.confirm": _l("Confirmed a ballot's result"),
    "ballot.state": _l("Moved a ballot"),
    "ballot.paper_ballot": _l("Recorded a paper voter"),
    "ballot.paper_household": _l("Marked a household as having voted on paper"),
    "ballot.paper_household_removed": _l("Removed a household's paper mark"),
    "ballot.paper_tally": _l("Entered a paper tally"),
    "ballot.tie_decision": _l("Decided a tie"),
    "booking.create": _l("Booked a place"),
    "booking.cancel": _l("Cancelled a booking"),
    "booking.walk_in": _l("Checked in a walk-in"),
    "booking.attended": _l("Checked someone in"),
    "booking.no_show": _l("Marked someone as not come"),
    "budget.add": _l("Added a budget line"),
    "calendar.create": _l("Made a calendar link"),
    "calendar.revoke": _l("Revoked a calendar link"),
    "code.issue": _l("Issued an invitation code"),
    "code.regenerate": _l("Made a new invitation code"),
    "code.revoke": _l("Stopped an invitation code"),
    "codes.generate": _l("Made invitation codes"),
    "cohort.create": _l("Created a cohort"),
    "cohort.update": _l("Changed a cohort"),
    "complex.create": _l("Added a complex"),
    "complex.update": _l("Changed a complex"),
    "demo.load": _l("Loaded the demo data"),
    "enterprise.create": _l("Added an enterprise"),
    "enterprise.update": _l("Changed an enterprise"),
    "evaluation.draft": _l("Drafted an evaluation"),
    "evaluation.update": _l("Changed an evaluation"),
    "evaluation.sign": _l("Signed an evaluation"),
    "evaluation.snapshot": _l("Took the evaluation's figures"),
    "feedback.give": _l("Gave feedback"),
    "feedback.paper": _l("Entered feedback given on paper"),
    "person.link": _l("Joined as someone booked by phone or at the door"),
    "person.erase": _l("Erased a person without an account"),
    "households.add": _l("Added households"),
    "kpi.create": _l("Added a KPI"),
    "kpi.target": _l("Set a KPI target"),
    "kpi.targets.demo": _l("Set the demo KPI targets"),
    "kpi.actual": _l("Entered a KPI result"),
    "match.suggested": _l("Suggested a match"),
    "match.offered": _l("Offered a match"),
    "match.accepted": _l("Accepted a match"),
    "match.declined": _l("Declined a match"),
    "match.active": _l("Started a match"),
    "match.completed": _l("Completed a match"),
    "match.withdrawn": _l("Withdrew a match"),
    "match.rate": _l("Rated a match"),
    "model.publish": _l("Published a business model"),
    "model.adopt": _l("Adopted a business model"),
    "model.withdraw": _l("Withdrew a business model"),
    "complex.reminder_lead_times": _l("Set when reminders go out"),
    "model.draft": _l("Changed an adopted model's draft"),
    "model.confirm": _l("Confirmed an adopted model as a programme"),
    "district_office.create": _l("Made a district support account"),
    "district_office.update": _l("Changed a district support account"),
    "notifications.profile": _l("Changed contact details and notices"),
    "notices.post": _l("Posted a notice"),
    "notices.edit": _l("Changed a notice"),
    "notices.unpin": _l("Unpinned a notice"),
    "notices.remove": _l("Took a notice off the board"),
    "notifications.preferences": _l("Changed notification settings"),
    "participation.recruit": _l("Recruited a complex"),
    "placement.create": _l("Placed a coordinator"),
    "placement.end": _l("Ended a placement"),
    "placement.handover": _l("Handed a complex over"),
    "plan.goals": _l("Saved the plan's goals"),
    "problem.propose": _l("Proposed a problem"),
    "problem.edit": _l("Edited a problem"),
    "problem.merge": _l("Merged problems"),
    "problem.state": _l("Moved a problem"),
    "program.create": _l("Created a programme"),
    "program.update": _l("Changed a programme"),
    "program.schedule": _l("Set a programme's schedule"),
    "program.exception": _l("Skipped or moved a session day"),
    "roster.add": _l("Added someone to a roster"),
    "roster.remove": _l("Took someone off a roster"),
    "session.add": _l("Added a session"),
    "session.cancel": _l("Cancelled a session"),
    "session.capacity": _l("Changed a session's places"),
    "session.volunteers_needed": _l("Set the volunteers needed"),
    "shift.add": _l("Opened a volunteer shift"),
    "shift.needed": _l("Changed the volunteers a shift needs"),
    "shift.remove": _l("Took a volunteer shift away"),
    "spending.add": _l("Recorded spending"),
    "stage.move": _l("Moved a participation's stage"),
    "workshop.create": _l("Planned a workshop"),
    "workshop.update": _l("Changed a workshop"),
    "workshop.attach": _l("Attached a file to a workshop"),
    "workshop.walk_ins": _l("Counted a workshop's walk-ins"),
}

ACTION_LABELS = {**VIEW_LABELS, **CHANGE_LABELS}


def label_of(action):
    return ACTION_LABELS.get(action, action)


def action_choices():
    """(code, label) for the filter, views first, then changes, each by its label."""
    return [
        (code, label)
        for labels in (VIEW_LABELS, CHANGE_LABELS)
        for code, label in sorted(labels.items(), key=lambda item: str(item[1]))
    ]
