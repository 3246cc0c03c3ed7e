"""What people return: reviewer entries read back into the store (`moderation`), carried into
next month's findings (`carry_forward`), and the human practice audit (`practice`)."""
