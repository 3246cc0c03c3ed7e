"""The foundation every other package may use, and which uses none of them: errors that reach
the user as one paragraph, the audit configuration, the calendar (working days, months), the
helper process, and the rules for making export text safe in any output."""
