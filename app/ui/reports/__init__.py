"""The Reports tab: clinic reports (counts, never a chart) run, plotted and exported."""
