"""One patient's chart as a workspace tab: banner, visit bar, summary and a tab per section;
one sub-package per section that charts (entries, notes, vitals)."""
