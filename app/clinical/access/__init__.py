"""Restricted charts and breaking the glass (issue 17): a chart marked restricted opens only
to the patient's care team, or to a clinician who gives a reason and re-enters their
password for a window of time, every such access put in front of an auditor."""
