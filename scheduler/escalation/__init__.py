"""What the rules want on a working day: calendar, facts, rule sets, evaluation, metrics."""
