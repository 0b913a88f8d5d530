"""Cost models: learned rankers of candidate schedules."""
