"""A resident's own data: the download of everything held about them, and account deletion."""
