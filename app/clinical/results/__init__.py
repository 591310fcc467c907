"""Results arriving for orders: matched to their order, flagged, and filed as review Tasks in
a clinician's inbox (or the clinic queue), acknowledged there."""
