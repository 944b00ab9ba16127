"""The audit log page for staff admins: who did or looked at what, when, about whom."""
