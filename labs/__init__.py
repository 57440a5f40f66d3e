"""The learning domain: stages, labs, plans, submissions, runs and their events, progress."""
