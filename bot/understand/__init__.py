"""Reading a customer's message: normalising, matching, dates and the situation described."""
