"""The roster of programme sessions: instructors and volunteers, volunteer hours."""
