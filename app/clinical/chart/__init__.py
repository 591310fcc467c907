"""Reading a chart: the summary, each section paged, one line per record, and the banner."""
