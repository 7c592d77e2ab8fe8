"""Work behind the counter: the FAQ as admins edited it, its files, and the statistics."""
