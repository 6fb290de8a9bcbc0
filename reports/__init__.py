"""Run summaries, gates, verdicts and the files they are rendered to."""
