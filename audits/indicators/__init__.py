"""What a run measures from its lists and findings: compliance scores per area and team
(`scores`), the board's performance indicators (`definitions`, `compute`), their targets,
national comparators and RAG (`comparators`), and the indicator settings of the config
(`settings`)."""
